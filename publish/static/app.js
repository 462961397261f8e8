// talkstream: click-to-play videos. Without this script every video card is
// a link to the video's page; with it, a click (or Enter) on the thumbnail
// swaps it for the privacy-friendly player. Nothing loads from a video
// platform before that click. The page's Content-Security-Policy allows only
// this same-origin script and frames from the players below.
(function () {
  "use strict";
  // The players publish builds (publish/players.go); the page's CSP names
  // the hosts: YouTube, Vimeo, media.ccc.de and the configured PeerTube
  // instances.
  var allowed = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}|player\.vimeo\.com\/video\/[0-9]{1,12}|media\.ccc\.de\/v\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}\/oembed|[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?\/videos\/embed\/[A-Za-z0-9-]{20,36})(\?[A-Za-z0-9=&_-]*)?$/;

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
