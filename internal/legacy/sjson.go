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
// structs with encoding/json. Values of the other types are copied as
// they are, after a check that they are of their type.
func decodeDocument(raw []byte) ([]byte, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	var s sjSchema
	if err := json.Unmarshal(members["$s"], &s); err != nil {
		return nil, fmt.Errorf("document schema: %w", err)
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	if err := writeObject(&out, &s, members); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeObject(out *bytes.Buffer, s *sjSchema, members map[string]json.RawMessage) error {
	out.WriteByte('{')
	if s == nil {
		if len(members) > 0 {
			return fmt.Errorf("object without schema")
		}
		out.WriteByte('}')
		return nil
	}
	for i, k := range s.Keys {
		e, ok := s.Props[k]
		if !ok {
			return fmt.Errorf("field %q: not in schema", k)
		}
		raw, ok := members[k]
		if !ok {
			return fmt.Errorf("field %q: missing", k)
		}
		if i > 0 {
			out.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		out.Write(key)
		out.WriteByte(':')
		if err := writeValue(out, e, raw); err != nil {
			return fmt.Errorf("field %q: %w", k, err)
		}
	}
	out.WriteByte('}')
	return nil
}

// firstByte is the first byte of a raw JSON value (0 when empty).
func firstByte(raw json.RawMessage) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func writeValue(out *bytes.Buffer, e *sjElem, raw json.RawMessage) error {
	if e == nil {
		return fmt.Errorf("no schema")
	}
	c := firstByte(raw)
	switch e.Type {
	case "object":
		var m map[string]json.RawMessage
		if c != '{' || json.Unmarshal(raw, &m) != nil {
			return fmt.Errorf("object field holds %.40s", raw)
		}
		return writeObject(out, e.Schema, m)
	case "array":
		var items []json.RawMessage
		if c != '[' || json.Unmarshal(raw, &items) != nil {
			return fmt.Errorf("array field holds %.40s", raw)
		}
		if len(items) != len(e.Items) {
			return fmt.Errorf("array of %d items with %d item schemas", len(items), len(e.Items))
		}
		out.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeValue(out, e.Items[i], it); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		out.WriteByte(']')
		return nil
	case "string", "objectId":
		if c != '"' {
			return fmt.Errorf("%s field holds %.40s", e.Type, raw)
		}
	case "double", "int", "long":
		if c != '-' && (c < '0' || c > '9') {
			return fmt.Errorf("%s field holds %.40s", e.Type, raw)
		}
	case "bool":
		if c != 't' && c != 'f' {
			return fmt.Errorf("bool field holds %.40s", raw)
		}
	case "null":
		if c != 'n' {
			return fmt.Errorf("null field holds %.40s", raw)
		}
	case "date":
		var ms int64
		if err := json.Unmarshal(raw, &ms); err != nil {
			return fmt.Errorf("date field holds %.40s", raw)
		}
		out.WriteByte('"')
		out.WriteString(time.UnixMilli(ms).UTC().Format(time.RFC3339Nano))
		out.WriteByte('"')
		return nil
	default:
		// binData, regex, timestamp: whosaid never stored them.
		return fmt.Errorf("unsupported type %q", e.Type)
	}
	out.Write(bytes.TrimSpace(raw))
	return nil
}
