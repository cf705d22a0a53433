package legacy

import (
	"strings"
	"testing"
)

func TestDecodeDocument(t *testing.T) {
	for _, tc := range []struct{ name, in, want, err string }{
		{
			name: "scalars",
			in: `{"$s":{"p":{"_id":{"t":"objectId"},"n":{"t":"int"},"l":{"t":"long"},"d":{"t":"double"},"b":{"t":"bool"},"z":{"t":"null"},"at":{"t":"date"}},` +
				`"$k":["_id","n","l","d","b","z","at"]},"_id":"5ef2e6137a2b0167622dddb9","n":3,"l":-3593319955127885886,"d":0.5,"b":true,"z":null,"at":1743663600000}`,
			want: `{"_id":"5ef2e6137a2b0167622dddb9","n":3,"l":-3593319955127885886,"d":0.5,"b":true,"z":null,"at":"2025-04-03T07:00:00Z"}`,
		},
		{
			name: "nested",
			in: `{"$s":{"p":{"a":{"t":"array","i":[{"t":"object","$s":{"p":{"x":{"t":"string"}},"$k":["x"]}},{"t":"array","i":[]}]},"o":{"t":"object","$s":{}}},"$k":["a","o"]},` +
				`"a":[{"x":"y"},[]],"o":{}}`,
			want: `{"a":[{"x":"y"},[]],"o":{}}`,
		},
		{name: "field not in schema", in: `{"$s":{"p":{},"$k":["a"]},"a":1}`, err: `field "a": not in schema`},
		{name: "field missing", in: `{"$s":{"p":{"a":{"t":"int"}},"$k":["a"]}}`, err: `field "a": missing`},
		{name: "array length", in: `{"$s":{"p":{"a":{"t":"array","i":[]}},"$k":["a"]},"a":[1]}`, err: "1 items with 0 item schemas"},
		{name: "unsupported", in: `{"$s":{"p":{"a":{"t":"regex","o":"i"}},"$k":["a"]},"a":"x"}`, err: `unsupported type "regex"`},
		{name: "wrong value", in: `{"$s":{"p":{"a":{"t":"int"}},"$k":["a"]},"a":"x"}`, err: `field "a": int field holds "x"`},
		{name: "wrong date", in: `{"$s":{"p":{"a":{"t":"date"}},"$k":["a"]},"a":"2025"}`, err: `field "a": date field holds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeDocument([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("decodeDocument = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
