package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every key the Go code names (i18n.M("…"), M("…") here, x.T("…")) is in
// the catalogue, so a typo fails the build's tests, not a member's page.
func TestCodeUsesKnownKeys(t *testing.T) {
	c := catalogue(t)
	used := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !namesKey(call.Fun) {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			if key == "" {
				return true
			}
			used++
			if !c.Has(key) {
				t.Errorf("%s: unknown message key %q", path, key)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 40 {
		t.Fatalf("only %d keys found in the code: is the scan broken?", used)
	}
}

// namesKey reports whether fun is i18n.M, M inside this package, or a T
// method, whose first argument is a message key.
func namesKey(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "M"
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok && x.Name == "i18n" {
			return f.Sel.Name == "M"
		}
		return f.Sel.Name == "T" || f.Sel.Name == "TH"
	}
	return false
}
