package argv

import "errors"

// Name is a string flag that may not be given an empty value: -m "$MODEL"
// with MODEL unset would otherwise mean "no -m", and count with the default
// encoding in silence.
type Name struct{ P *string }

func (n Name) String() string {
	if n.P == nil {
		return ""
	}
	return *n.P
}

// Set sets the name, or refuses an empty one.
func (n Name) Set(s string) error {
	if s == "" {
		return errEmptyName
	}
	*n.P = s
	return nil
}

var errEmptyName = errors.New("an empty value (leave the flag out for the default)")
