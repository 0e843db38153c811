// Package slack is briefbot's Slack adapter: the /brief slash command over
// HTTP (signed requests on POST /slack/commands) and over Socket Mode, the
// Block Kit renderer for commands.Response, and the poster that delivers
// digests with chat.postMessage.
//
// The adapter turns Slack input into a neutral commands.Request, runs the
// handler within Slack's three-second acknowledgement window (slow answers
// are acknowledged at once and delivered through response_url), and renders
// the neutral commands.Response within Block Kit's limits, splitting or
// truncating visibly instead of sending anything Slack would reject.
//
// Tokens and the signing secret never appear in logs or errors.
package slack
