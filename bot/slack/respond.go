package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxResponseURLRetries bounds the retries of one response_url post.
const maxResponseURLRetries = 2

// respondAll posts msgs to the invocation's response_url, in order, within
// Slack's bounds: at most ResponseURLUses posts (retries count) and only
// within ResponseURLLifetime of the command.
func (p *Platform) respondAll(ctx context.Context, inv invocation, msgs []Message, responseType string) {
	raw := inv.cmd.ResponseURL
	u, ok := p.allowedResponseURL(raw)
	if !ok {
		p.log.Warn("slack: response_url refused; answer not delivered", "host", hostOf(raw), "allowed", strings.Join(p.cfg.ResponseURLAllow, ","))
		return
	}
	deadline := inv.received.Add(ResponseURLLifetime)
	uses := 0
	for i, m := range msgs {
		body, err := encodeReply(replyOf(m, responseType))
		if err != nil {
			p.log.Error("slack: encoding an answer failed", "err", err)
			return
		}
		for attempt := 0; ; attempt++ {
			if uses >= ResponseURLUses {
				p.log.Warn("slack: response_url used up; rest of the answer dropped", "dropped_messages", len(msgs)-i)
				return
			}
			if !p.now().Before(deadline) {
				p.log.Warn("slack: response_url expired; rest of the answer dropped", "dropped_messages", len(msgs)-i)
				return
			}
			uses++
			wait, retry, err := p.postResponseURL(ctx, u, body)
			if err == nil {
				break
			}
			if !retry || attempt >= maxResponseURLRetries {
				p.log.Warn("slack: response_url post failed", "err", p.redact(err.Error()), "attempts", attempt+1)
				if !retry {
					return
				}
				break
			}
			if err := p.sleep(ctx, wait); err != nil {
				return
			}
		}
	}
}

// postResponseURL posts one JSON message. It reports whether a failure may
// be retried and after how long.
func (p *Platform) postResponseURL(ctx context.Context, u string, body []byte) (time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("response_url request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, false, fmt.Errorf("response_url post: %w", ctx.Err())
		}
		// Do's error names the URL, which carries a one-time secret: keep
		// only the host.
		return p.cfg.RetryBackoff, true, fmt.Errorf("response_url post to %s failed", hostOf(u))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, false, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		return min(wait, p.cfg.MaxRetryAfter), true, fmt.Errorf("response_url rate limited (429)")
	case resp.StatusCode >= 500:
		return p.cfg.RetryBackoff, true, fmt.Errorf("response_url server error (%d)", resp.StatusCode)
	default:
		return 0, false, fmt.Errorf("response_url refused the answer (%d): %s", resp.StatusCode, errorWord(msg))
	}
}

// errorWord extracts Slack's error code from a response body, bounded.
func errorWord(b []byte) string {
	var v struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &v) == nil && v.Error != "" {
		return shorten(v.Error, 64)
	}
	return shorten(strings.TrimSpace(string(b)), 64)
}

// allowedResponseURL reports whether raw may receive a post: its scheme and
// host equal an allowed prefix's and its path starts with the prefix's path.
func (p *Platform) allowedResponseURL(raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	for _, a := range p.allow {
		if u.Scheme == a.Scheme && strings.EqualFold(u.Host, a.Host) && strings.HasPrefix(u.EscapedPath(), a.EscapedPath()) {
			return u.String(), true
		}
	}
	return "", false
}

// hostOf returns the host of a URL for logs (never the path, which holds a
// one-time secret in response_url).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable)"
	}
	return u.Host
}
