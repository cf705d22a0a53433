package attribution

import "errors"

// Sentinel errors that callers match with errors.Is. Packages wrap them with
// context ("get article 42: not found"); the HTTP API maps them to statuses in
// one place.
var (
	// ErrNotFound means the requested object does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input breaks a rule of the domain.
	ErrInvalid = errors.New("invalid")
	// ErrConflict means the input collides with stored state, for example a
	// second article with the same URL.
	ErrConflict = errors.New("conflict")
)

// FieldError reports one invalid field of an input. It matches ErrInvalid,
// so errors.Is(err, ErrInvalid) holds for it; errors.As recovers the field.
// Several FieldErrors travel together with errors.Join.
type FieldError struct {
	// Field is the name of the field as the caller spelled it ("text").
	Field string
	// Reason says what is wrong, in lowercase ("must not be empty").
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Is makes a FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
