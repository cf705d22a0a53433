package legacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// FerretDB v1 keeps each document in one TEXT column as JSON whose "$s"
// member is the schema of the other members: for each field a type "t"
// (object with its own "$s", array with one item schema per element in
// "i", and the scalar types below), and "$k" with the field order. Dates
// are milliseconds since the Unix epoch, ObjectIDs 24 hex digits, int and
// long plain JSON numbers.

type sjSchema struct {
	Props map[string]*sjElem `json:"p"`
	Keys  []string           `json:"$k"`
}

type sjElem struct {
	Type   string    `json:"t"`
	Schema *sjSchema `json:"$s"`
	Items  []*sjElem `json:"i"`
}

// decodeDocument turns one stored document into plain JSON: dates become
// RFC 3339 strings, ObjectIDs their hex, so that the result decodes into
// structs with encoding/json.
func decodeDocument(raw []byte) ([]byte, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	var s sjSchema
	if err := json.Unmarshal(members["$s"], &s); err != nil {
		return nil, fmt.Errorf("document schema: %w", err)
	}
	delete(members, "$s")
	v, err := decodeObject(&s, members)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func decodeObject(s *sjSchema, members map[string]json.RawMessage) (map[string]any, error) {
	out := make(map[string]any, len(members))
	if s == nil {
		if len(members) > 0 {
			return nil, fmt.Errorf("object without schema")
		}
		return out, nil
	}
	for _, k := range s.Keys {
		e, ok := s.Props[k]
		if !ok {
			return nil, fmt.Errorf("field %q: not in schema", k)
		}
		raw, ok := members[k]
		if !ok {
			return nil, fmt.Errorf("field %q: missing", k)
		}
		v, err := decodeValue(e, raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func decodeValue(e *sjElem, raw json.RawMessage) (any, error) {
	if e == nil {
		return nil, fmt.Errorf("no schema")
	}
	switch e.Type {
	case "object":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		return decodeObject(e.Schema, m)
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		if len(items) != len(e.Items) {
			return nil, fmt.Errorf("array of %d items with %d item schemas", len(items), len(e.Items))
		}
		out := make([]any, len(items))
		for i, it := range items {
			v, err := decodeValue(e.Items[i], it)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case "string", "objectId":
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case "double":
		var f float64
		err := json.Unmarshal(raw, &f)
		return f, err
	case "int", "long":
		var n int64
		err := json.Unmarshal(raw, &n)
		return n, err
	case "bool":
		var b bool
		err := json.Unmarshal(raw, &b)
		return b, err
	case "null":
		if !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return nil, fmt.Errorf("null field holds %s", raw)
		}
		return nil, nil
	case "date":
		var ms int64
		if err := json.Unmarshal(raw, &ms); err != nil {
			return nil, err
		}
		return time.UnixMilli(ms).UTC(), nil
	default:
		// binData, regex, timestamp: whosaid never stored them.
		return nil, fmt.Errorf("unsupported type %q", e.Type)
	}
}
