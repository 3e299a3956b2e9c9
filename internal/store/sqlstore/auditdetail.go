package sqlstore

import (
	"slices"

	"github.com/guildgate/guildgate/internal/oauth"
)

// auditDetail is json.Marshal(detail), the column every audit row
// carries, written by hand: every token issued appends one, and
// encoding/json sorts and reflects over the map each time. The bytes are
// encoding/json's (TestAuditDetailMatchesEncodingJSON): keys sorted,
// strings escaped alike, a nil map "null".
func auditDetail(detail map[string]string) string {
	if detail == nil {
		return "null"
	}
	var small [8]string
	keys := small[:0]
	for k := range detail {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 128)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(oauth.AppendJSONString(b, k), ':')
		b = oauth.AppendJSONString(b, detail[k])
	}
	return string(append(b, '}'))
}
