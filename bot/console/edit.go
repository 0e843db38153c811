package console

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/chzyer/readline"

	"github.com/briefbot/briefbot/commands"
)

// editSource reads lines with line editing, history and completion.
type editSource struct {
	rl *readline.Instance
	// stdin is closed first on Close: readline does not close the reader
	// it was given, and its Close waits for a pending read to end.
	stdin *readline.CancelableStdin
	once  sync.Once
}

// newEditSource starts line editing on the console's reader and writer.
// Raw mode is entered only when In is a terminal; forced editing over a
// pipe (tests) processes the same keys without touching any terminal.
func (c *Console) newEditSource() (*editSource, error) {
	if c.cfg.History != "" {
		if dir := filepath.Dir(c.cfg.History); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				c.log.Warn("console: history directory unusable; history is kept in memory only", "path", c.cfg.History, "err", err)
			}
		}
	}
	stdin := readline.NewCancelableStdin(c.cfg.In)
	var raw struct {
		sync.Mutex
		state *readline.State
	}
	cfg := &readline.Config{
		Prompt:                 c.cfg.Prompt,
		HistoryFile:            c.cfg.History,
		HistoryLimit:           c.cfg.HistoryLimit,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completer{names: completionNames(c.table)},
		Listener:               readline.FuncListener(capLine),
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n",
		Stdin:                  stdin,
		Stdout:                 c.cfg.Out,
		Stderr:                 c.cfg.Err,
		FuncIsTerminal:         func() bool { return true },
		FuncGetWidth:           c.editWidth,
		FuncMakeRaw: func() error {
			if !c.inTerm {
				return nil
			}
			raw.Lock()
			defer raw.Unlock()
			st, err := readline.MakeRaw(c.inFd)
			if err != nil {
				return err
			}
			raw.state = st
			return nil
		},
		FuncExitRaw: func() error {
			raw.Lock()
			defer raw.Unlock()
			if raw.state == nil {
				return nil
			}
			st := raw.state
			raw.state = nil
			return readline.Restore(c.inFd, st)
		},
		FuncOnWidthChanged: func(f func()) {
			if c.outTerm {
				readline.DefaultOnWidthChanged(f)
			}
		},
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		_ = stdin.Close()
		return nil, err
	}
	return &editSource{rl: rl, stdin: stdin}, nil
}

// editWidth is the screen width line editing draws in.
func (c *Console) editWidth() int {
	if c.outTerm {
		if w := c.termWidth(); w > 0 {
			return w
		}
	}
	if c.cfg.Width > 0 {
		return c.cfg.Width
	}
	return DefaultWidth
}

// maxEditRunes bounds the line being edited: room for MaxCommandText
// characters, the /brief prefix and some spacing. A longer paste is cut to
// one character more, so that it is refused as too long (never run cut
// short) and the edit buffer stays bounded.
const maxEditRunes = commands.MaxCommandText + 64

// capLine is the line editor's listener: it cuts the line at
// maxEditRunes+1 characters.
func capLine(line []rune, pos int, _ rune) ([]rune, int, bool) {
	if len(line) <= maxEditRunes {
		return nil, 0, false
	}
	return line[:maxEditRunes+1], min(pos, maxEditRunes+1), true
}

// ReadLine reads one edited line. Ctrl-C discards the line; Ctrl-D on an
// empty line ends the input.
func (e *editSource) ReadLine() (string, error) {
	line, err := e.rl.Readline()
	switch {
	case err == nil:
		if len(line) > MaxLineBytes || utf8.RuneCountInString(line) > maxEditRunes {
			return "", errLineTooLong
		}
		return line, nil
	case errors.Is(err, readline.ErrInterrupt):
		return line, errInterrupted
	case errors.Is(err, io.EOF):
		return "", io.EOF
	}
	return "", err
}

// Accepted adds a line that was run to the history (and its file).
func (e *editSource) Accepted(line string) {
	_ = e.rl.SaveHistory(line)
}

// Writer is where output goes while editing: it clears the prompt, writes,
// and draws the prompt and the half-typed line again.
func (e *editSource) Writer() io.Writer { return e.rl.Stdout() }

// ErrWriter is Writer for the error stream.
func (e *editSource) ErrWriter() io.Writer { return e.rl.Stderr() }

// Interrupt ends a pending read: the line editor sees the end of its
// input and returns io.EOF.
func (e *editSource) Interrupt() bool {
	_ = e.stdin.Close()
	return true
}

// Close stops editing and restores the terminal. Closing the input first
// lets a pending read end before readline's own Close waits for it.
func (e *editSource) Close() error {
	var err error
	e.once.Do(func() {
		_ = e.stdin.Close()
		err = e.rl.Close()
	})
	return err
}

// completionNames are the words offered for completion: every command name
// and exit.
func completionNames(table []commands.Spec) []string {
	seen := map[string]bool{"exit": true, "quit": true}
	names := []string{"exit", "quit"}
	for _, s := range table {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	sort.Strings(names)
	return names
}

// completer completes the command name at the start of the line (after an
// optional /brief).
type completer struct {
	names []string
}

// Do implements readline.AutoCompleter: it returns the endings of the
// names that start with what is typed before the cursor, and the length of
// that typed prefix.
func (cp completer) Do(line []rune, pos int) ([][]rune, int) {
	if pos > len(line) || pos > 64 {
		return nil, 0
	}
	typed := string(line[:pos])
	lead := len(typed) - len(strings.TrimLeft(typed, " "))
	typed = typed[lead:]
	if _, ok := cutCommandPrefix(typed); ok {
		if len(typed) == len("/brief") {
			return nil, 0
		}
		typed = strings.TrimLeft(typed[len("/brief"):], " ")
	}
	lower := strings.ToLower(typed)
	var out [][]rune
	for _, n := range cp.names {
		if strings.HasPrefix(n, lower) && n != lower {
			out = append(out, []rune(n[len(lower):]+" "))
		}
	}
	return out, len([]rune(typed))
}
