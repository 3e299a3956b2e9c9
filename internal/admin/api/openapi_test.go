package api

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// TestOpenAPIMatchesMux: every operation in the document is routed by the
// mux to exactly its own pattern, every route of the table is in the
// document, and nothing else is served but the JSON catch-all.
func TestOpenAPIMatchesMux(t *testing.T) {
	h := &Handler{}
	mux := h.mux()
	doc := decodeDoc(t, h)
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			pattern := strings.ToUpper(method) + " " + path
			documented = append(documented, pattern)
			concrete := placeholder.ReplaceAllString(path, "x1")
			_, got := mux.Handler(httptest.NewRequest(strings.ToUpper(method), "https://sso.example"+concrete, nil))
			if got != pattern {
				t.Errorf("%s %s is routed to %q, want %q", method, concrete, got, pattern)
			}
		}
	}
	var served []string
	for _, rt := range h.routes() {
		served = append(served, rt.pattern())
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("documented %q\nserved     %q", documented, served)
	}
	if _, got := mux.Handler(httptest.NewRequest("GET", "https://sso.example/api/v1/nowhere", nil)); got != Prefix {
		t.Fatalf("unknown path routed to %q, want the catch-all", got)
	}
}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

func decodeDoc(t *testing.T, h *Handler) openAPIDoc {
	t.Helper()
	raw, err := json.Marshal(h.document("https://sso.example"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIIsValid checks what a validator would: the version, unique
// operation ids, declared path parameters, responses on every operation,
// and that every $ref resolves.
func TestOpenAPIIsValid(t *testing.T) {
	h := &Handler{}
	doc := decodeDoc(t, h)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	raw, _ := json.Marshal(h.document("https://sso.example"))
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	ids := map[string]bool{}
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			var op struct {
				OperationID string                      `json:"operationId"`
				Responses   map[string]json.RawMessage  `json:"responses"`
				Parameters  []struct{ Name, In string } `json:"parameters"`
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatal(err)
			}
			if op.OperationID == "" || ids[op.OperationID] || len(op.Responses) == 0 {
				t.Errorf("%s %s: operationId %q (duplicate %v), %d responses", method, path, op.OperationID, ids[op.OperationID], len(op.Responses))
			}
			ids[op.OperationID] = true
			for _, want := range placeholder.FindAllString(path, -1) {
				if !slices.ContainsFunc(op.Parameters, func(p struct{ Name, In string }) bool {
					return p.In == "path" && "{"+p.Name+"}" == want
				}) {
					t.Errorf("%s %s: path parameter %s not declared", method, path, want)
				}
			}
		}
	}
}
