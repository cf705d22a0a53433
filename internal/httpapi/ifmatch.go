package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ifMatch is a parsed If-Match header (RFC 9110, section 13.1.1).
type ifMatch struct {
	// present is false without the header: the write is unconditional.
	present bool
	// any is true for "*": any current version matches.
	any bool
	// versions are the strong entity tags that are versions this API
	// issues ("7"); weak tags (W/"7") never match under the strong
	// comparison If-Match uses, and other tags match no version.
	versions []int64
}

// parseIfMatch reads every If-Match field line of a request as one list:
// "*" or a comma-separated list of entity tags. A value that is neither
// is a 400.
func parseIfMatch(values []string) (ifMatch, error) {
	var m ifMatch
	for _, v := range values {
		m.present = true
		for elem := range strings.SplitSeq(v, ",") {
			elem = strings.Trim(elem, " \t")
			switch {
			case elem == "":
				continue // empty list elements are allowed (RFC 9110, 5.6.1)
			case elem == "*":
				m.any = true
				continue
			}
			weak := strings.HasPrefix(elem, "W/")
			opaque := strings.TrimPrefix(elem, "W/")
			if !validOpaqueTag(opaque) {
				return ifMatch{}, errStatus(http.StatusBadRequest,
					`If-Match must be "*" or a list of entity tags such as "7" (with the quotes), as the ETag header gives them`)
			}
			if weak {
				continue
			}
			if n, err := strconv.ParseInt(opaque[1:len(opaque)-1], 10, 64); err == nil && n > 0 &&
				strconv.FormatInt(n, 10) == opaque[1:len(opaque)-1] {
				m.versions = append(m.versions, n)
			}
		}
	}
	if m.any && hasOther(values) {
		// "*" is a field value of its own, not a list member.
		return ifMatch{}, errStatus(http.StatusBadRequest, `If-Match "*" cannot be combined with entity tags`)
	}
	return m, nil
}

// hasOther reports whether the If-Match values hold anything but "*" and
// empty elements.
func hasOther(values []string) bool {
	for _, v := range values {
		for elem := range strings.SplitSeq(v, ",") {
			if e := strings.Trim(elem, " \t"); e != "" && e != "*" {
				return true
			}
		}
	}
	return false
}

// validOpaqueTag reports whether s is an opaque-tag: DQUOTE *etagc DQUOTE,
// where etagc is %x21 / %x23-7E / obs-text (no quotes, no escapes).
func validOpaqueTag(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c < 0x21 || c == '"' || c == 0x7f {
			return false
		}
	}
	return true
}

// version is the version a conditional write must find, given the
// current one: 0 for an unconditional write (no header, or "*"), current
// when a strong tag of the header is current, and ok false when none is
// (412).
func (m ifMatch) version(current int64) (v int64, ok bool) {
	if !m.present || m.any {
		return 0, true
	}
	if slices.Contains(m.versions, current) {
		return current, true
	}
	return 0, false
}

// preconditionFailed is the 412 of a write whose If-Match matches no
// current version of what (a speaker, a quote) with ETag current.
func preconditionFailed(what, current string) error {
	return errStatus(http.StatusPreconditionFailed,
		"the "+what+" has changed: its ETag is now "+current+" and If-Match names no such strong tag (weak tags never match); read it again and retry")
}
