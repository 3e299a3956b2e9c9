package oauth

// AppendJSONMap appends m as encoding/json.Marshal writes it (keys sorted,
// strings escaped alike) when every value is a string, bool, int64 or
// []string; ok is false, and nothing is to be used, for any other value.
// ID tokens are such maps, one per code exchange and refresh.
func AppendJSONMap(b []byte, m map[string]any) ([]byte, bool) { return appendMap(b, m) }
