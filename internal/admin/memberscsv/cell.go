package memberscsv

import "strings"

// Spreadsheet programs run a cell that starts with one of these as a
// formula, so an exported name like "=HYPERLINK(…)" would become a live
// link on an administrator's machine (CSV injection). Export prefixes such
// cells with an apostrophe, which spreadsheets hide, and import removes it,
// so a file survives export and re-import unchanged.
const formulaStarts = "=+-@\t\r"

func escapeCell(v string) string {
	if v != "" && strings.ContainsRune(formulaStarts, rune(v[0])) {
		return "'" + v
	}
	return v
}

func unescapeCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune(formulaStarts, rune(v[1])) {
		return v[1:]
	}
	return v
}
