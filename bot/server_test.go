package bot_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// TestServerCutsConnectionsPastDeadline checks that a request still running
// when the shutdown deadline passes has its connection closed (its context
// ends) instead of being left to the process's exit.
func TestServerCutsConnectionsPastDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := bot.NewServer(bot.ServerConfig{Listener: ln, ShutdownTimeout: 200 * time.Millisecond}, nil)
	started, cut := make(chan struct{}), make(chan struct{})
	srv.Handle("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(cut)
	}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached the handler")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run returned no error though a request outlived the deadline")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the shutdown deadline")
	}
	select {
	case <-cut:
	case <-time.After(5 * time.Second):
		t.Fatal("the stuck request's connection was left open after the deadline")
	}
}
