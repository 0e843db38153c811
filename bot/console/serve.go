package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// Serve reads command lines from In and answers each with h, printing the
// rendered answer to Out, until the input ends (end of file, Ctrl-D, exit
// or quit) or ctx ends; either way it returns nil. Empty lines are ignored;
// lines longer than commands.MaxCommandText are refused with a message;
// parse errors and handler errors are shown as text and the session goes
// on. With line editing, Ctrl-C discards the line being typed, and on an
// empty line ends the session like Ctrl-D. Only a failure to read In or to
// write Out is returned.
//
// Serve may be called once. When ctx ends while plain input is blocked in
// a read, Serve returns at once and that read is left to finish (or not)
// on its own; the line it brings is dropped.
func (c *Console) Serve(ctx context.Context, h commands.Handler) error {
	if h == nil {
		return errors.New("console: Serve needs a handler")
	}
	if !c.served.CompareAndSwap(false, true) {
		return errors.New("console: Serve was already called; a console reads its input once")
	}
	var src lineSource
	if c.interactive {
		es, err := c.newEditSource()
		if err != nil {
			return fmt.Errorf("console: starting line editing: %w", err)
		}
		c.setOut(es.Writer(), es.ErrWriter())
		defer c.setOut(c.cfg.Out, c.cfg.Err)
		src = es
		if err := c.write(c.banner()); err != nil {
			_ = es.Close()
			return fmt.Errorf("console: writing: %w", err)
		}
	} else {
		src = newPlainSource(c.cfg.In, MaxLineBytes)
	}
	defer src.Close()

	for {
		line, err := c.next(ctx, src)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, errLineTooLong):
			if werr := c.writeResponse(c.refusal(tooLongMessage(-1))); werr != nil {
				return werr
			}
			continue
		case errors.Is(err, errInterrupted):
			if strings.TrimSpace(line) == "" {
				// Ctrl-C on an empty line ends the session, as in a shell
				// that is asked twice.
				return nil
			}
			continue
		case err != nil:
			return fmt.Errorf("console: reading commands: %w", err)
		}
		in := classify(sanitizeInput(line))
		switch in.kind {
		case lineEmpty:
			continue
		case lineExit:
			return nil
		case lineTooLong:
			if err := c.writeResponse(c.refusal(tooLongMessage(in.runes))); err != nil {
				return err
			}
			continue
		}
		src.Accepted(strings.TrimSpace(line))
		resp, err := c.answer(ctx, h, in.text)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			resp = c.userError(ctx, err, in.text)
		}
		if err := c.writeResponse(resp); err != nil {
			return err
		}
	}
}

// interruptWait bounds the wait for an interrupted read to end.
const interruptWait = 2 * time.Second

// readResult is one line read in the background.
type readResult struct {
	line string
	err  error
}

// next reads one line, giving up when ctx ends (line editing's read is
// then interrupted; a plain read is left behind).
func (c *Console) next(ctx context.Context, src lineSource) (string, error) {
	ch := make(chan readResult, 1)
	go func() {
		l, err := src.ReadLine()
		ch <- readResult{l, err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-ctx.Done():
		if src.Interrupt() {
			// Line editing ends its read at once; wait for it, so that
			// Close finds it finished. The bound only guards against a
			// line editor that does not let go.
			t := time.NewTimer(interruptWait)
			defer t.Stop()
			select {
			case <-ch:
			case <-t.C:
			}
		}
		return "", ctx.Err()
	}
}

// writeResponse prints an answer followed by an empty line.
func (c *Console) writeResponse(r commands.Response) error {
	if err := c.write(Render(r, c.RenderOptions()) + "\n"); err != nil {
		return fmt.Errorf("console: writing: %w", err)
	}
	return nil
}

// refusal is the answer to input that was not run.
func (c *Console) refusal(msg string) commands.Response {
	return commands.Response{
		Kind:       commands.KindError,
		Text:       msg,
		Visibility: commands.Ephemeral,
		Blocks:     []commands.Block{{Type: commands.BlockSection, Text: msg}},
	}
}

// banner greets an interactive session.
func (c *Console) banner() string {
	msg := "briefbot console: type a command such as meetings, status or help; exit or Ctrl-D leaves."
	r := commands.Response{Blocks: []commands.Block{{Type: commands.BlockContext, Text: msg}}}
	return Render(r, c.RenderOptions()) + "\n"
}
