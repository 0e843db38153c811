package briefings

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edge that turns it into user text.
type Code string

// The error codes every layer shares.
const (
	// CodeInvalid means the caller's input is wrong; the message says how to fix it.
	CodeInvalid Code = "invalid"
	// CodeNotFound means the thing asked for does not exist.
	CodeNotFound Code = "not_found"
	// CodeForbidden means the caller may not do this.
	CodeForbidden Code = "forbidden"
	// CodeConflict means the thing exists already or changed under the caller.
	CodeConflict Code = "conflict"
	// CodeUnavailable means a dependency is down; trying again later may work.
	CodeUnavailable Code = "unavailable"
	// CodeInternal means a bug or an unexpected failure; details are logged only.
	CodeInternal Code = "internal"
)

// Error is an error with a code and a message that is safe to show a user.
type Error struct {
	Code Code
	// Msg is shown to the user as is (never for CodeInternal).
	Msg string
	// Err is the underlying cause, logged but never shown.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted user-facing message.
// A %w verb wraps its argument as the cause.
func Errorf(code Code, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// WrapError returns err with a code and a user-facing message.
func WrapError(code Code, msg string, err error) error {
	return &Error{Code: code, Msg: msg, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrNotFound is returned by stores for a missing record.
var ErrNotFound = &Error{Code: CodeNotFound, Msg: "not found"}
