package httpx

import "net/http"

// SetShared sets header keys[i] to values[i] for each i, every value a
// slice of values' own backing array: a response's fixed headers then cost
// the one allocation of that array (or none, when it lives in the request's
// state) instead of one per header, as Header.Set would make.
//
// keys must be canonical (as Header.Set would write them), since Header.Get
// looks only for the canonical form. Each slice has capacity 1, so an Add to
// one header elsewhere copies its value instead of overwriting the next
// header's.
func SetShared(h http.Header, keys, values []string) {
	for i, k := range keys {
		h[k] = values[i : i+1 : i+1]
	}
}
