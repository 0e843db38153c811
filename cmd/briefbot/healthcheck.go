package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/config"
)

// maxHealthBody bounds what healthcheck reads of an answer.
const maxHealthBody = 4 << 10

func newHealthcheckCommand(a *app) *cobra.Command {
	var (
		target  string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 when the bot's /healthz answers 200, 1 otherwise (for container health checks)",
		Long: "GETs /healthz of the bot on this machine (the port of BRIEFBOT_HTTP_ADDR or PORT, on 127.0.0.1) or --url,\n" +
			"and exits 0 on 200 OK, 1 on anything else or no answer within --timeout. Distroless images have no curl:\n" +
			"the Dockerfile's HEALTHCHECK runs this.",
		Example: "  briefbot healthcheck\n  briefbot healthcheck --url http://127.0.0.1:8080/readyz --timeout 2s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if timeout <= 0 || timeout > time.Minute {
				return fmt.Errorf("--timeout %s: use a duration between 1ms and 1m, such as 3s", timeout)
			}
			u := target
			if u == "" {
				c, err := config.Load(a.getenv, a.configPath)
				if err != nil {
					return err
				}
				if u, err = localURL(c.HTTPAddr, "/healthz"); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := checkHealth(ctx, u); err != nil {
				fmt.Fprintln(a.stderr, "unhealthy:", err)
				return errSilent
			}
			fmt.Fprintln(a.stdout, "healthy")
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "url", "", "address to check (default http://127.0.0.1:<port of BRIEFBOT_HTTP_ADDR>/healthz)")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	return cmd
}

// localURL is the address of path on the server listening on addr, seen
// from the same machine: a wildcard or empty host becomes 127.0.0.1.
func localURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("BRIEFBOT_HTTP_ADDR=%q is not host:port (for example :8080): %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: path}).String(), nil
}

// checkHealth GETs u and succeeds on 200 OK. Redirects are not followed.
func checkHealth(ctx context.Context, u string) error {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return fmt.Errorf("--url %q is not an http(s) address such as http://127.0.0.1:8080/healthz", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build the request: %w", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s did not answer in time", pu.Redacted())
		}
		return fmt.Errorf("%s: %w", pu.Redacted(), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxHealthBody))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", pu.Redacted(), resp.Status, clipLine(string(body), 200))
	}
	return nil
}

// clipLine returns the first line of s, at most n bytes of it.
func clipLine(s string, n int) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			s = s[:i]
			break
		}
	}
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
