// Package websub implements the W3C WebSub Recommendation
// (https://www.w3.org/TR/websub/) for talkstream, in both directions.
//
// Subscriber subscribes to the hubs that fetched feeds advertise, answers
// their verification of intent only for subscriptions it asked for, checks
// each content distribution's X-Hub-Signature against the subscription's
// secret and hands the body on to be ingested like a fetch. Hub is the
// built-in hub for talkstream's own feeds: it verifies subscribers'
// intent, bounds their leases and delivers each changed feed, signed.
// Ping tells an external hub which of our feeds changed. Discover reads a
// feed's hub and self links (HTTP Link header, Atom link, RSS atom:link,
// JSON Feed hubs).
//
// The Go WebSub libraries we read keep their state in memory, get parts of
// the Recommendation wrong or have no track record (the README says
// which), so this one is written to the spec, small. It keeps its state through the Store
// interface; package store implements it.
package websub
