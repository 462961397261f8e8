// talkstream: click-to-play videos. Without this script every video card is
// a link to the video's page; with it, a click (or Enter) on the thumbnail
// swaps it for the privacy-friendly player. Nothing loads from YouTube or
// Vimeo before that click. The page's Content-Security-Policy allows only
// this same-origin script and frames from the two players below.
(function () {
  "use strict";
  var allowed = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}|player\.vimeo\.com\/video\/[0-9]{1,12})(\?[A-Za-z0-9=&_-]*)?$/;

  function play(link) {
    var src = link.getAttribute("data-embed") || "";
    if (!allowed.test(src)) {
      return false;
    }
    src += (src.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = link.getAttribute("data-title") || "Video player";
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var box = document.createElement("div");
    box.className = "player";
    box.appendChild(frame);
    var card = link.closest(".card");
    if (card) {
      card.classList.add("playing");
    }
    link.parentNode.replaceChild(box, link);
    frame.focus();
    return true;
  }

  document.addEventListener("click", function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) {
      return; // a new tab or window: let the link do it
    }
    var link = ev.target.closest && ev.target.closest("a[data-embed]");
    if (link && play(link)) {
      ev.preventDefault();
    }
  });
})();
