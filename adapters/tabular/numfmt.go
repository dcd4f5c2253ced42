package tabular

import (
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A cell format's kind decides how its numbers are written out.
type kind int

const (
	asNumber   kind = iota // General: plain digits
	asDate                 // yyyy-mm-dd
	asDateTime             // yyyy-mm-dd hh:mm
	asTime                 // hh:mm:ss
	asIs                   // text, or zero-padded digits: keep the workbook's format
)

// builtinFormat is the excelize built-in number format ID each kind is
// rewritten to; with Options.ShortDatePattern "yyyy-mm-dd", 14 and 22 give
// ISO dates whatever the workbook's locale.
var builtinFormat = map[kind]int{asNumber: 0, asDate: 14, asDateTime: 22, asTime: 21}

// normaliseFormats rewrites the workbook's cell formats, in memory only, so
// that excelize shows every date cell as yyyy-mm-dd, whether the file says
// m/d/yy, dd.mm.yyyy or yyyy"年"m"月"d"日", and every other number as
// General. It reaches the style sheet through excelize's exported fields:
// excelize has no per-cell style in its streaming reader, and its per-cell
// API would load the whole worksheet (see readSheet).
func normaliseFormats(f *excelize.File) {
	_, _ = f.GetStyle(0) // loads f.Styles; a workbook without styles has only General cells
	styles := f.Styles
	if styles == nil || styles.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if styles.NumFmts != nil {
		for _, nf := range styles.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
			// A custom format may reuse a built-in ID; excelize prefers the
			// custom one, which would defeat the rewrite below.
			for k, id := range builtinFormat {
				if nf.NumFmtID == id {
					nf.FormatCode, nf.FormatCode16 = canonicalCode[k], ""
				}
			}
		}
	}
	for i := range styles.CellXfs.Xf {
		xf := &styles.CellXfs.Xf[i]
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		k := builtinKind(id)
		if code, ok := custom[id]; ok {
			k = codeKind(code)
		}
		if target, ok := builtinFormat[k]; ok {
			xf.NumFmtID = &target
		}
	}
}

// canonicalCode is what each built-in target shows, for custom formats that
// take a built-in's ID.
var canonicalCode = map[kind]string{asNumber: "General", asDate: "yyyy-mm-dd", asDateTime: "yyyy-mm-dd hh:mm", asTime: "hh:mm:ss"}

// builtinKind classifies Excel's built-in format IDs (ECMA-376 §18.8.30,
// with the East Asian date IDs 27–36 and 50–58).
func builtinKind(id int) kind {
	switch {
	case id == 22:
		return asDateTime
	case 14 <= id && id <= 17, 27 <= id && id <= 31, id == 36, 50 <= id && id <= 58:
		return asDate
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47:
		return asTime
	case id == 49: // @, text
		return asIs
	}
	return asNumber
}

// codeKind classifies a custom format code by its tokens once quoted
// text, escaped characters, fill and padding characters and bracketed
// parts ([Red], [$-804], [h]) are left out: y or d make a date, h or s a
// time ('m' is month or minute, so it decides nothing).
func codeKind(code string) kind {
	if code == "@" {
		return asIs
	}
	if strings.Trim(code, "0") == "" && len(code) > 1 {
		return asIs
	}
	var tokens strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		case '\\', '_', '*':
			i++
		default:
			tokens.WriteByte(c | 0x20) // ASCII lower case; other bytes do not matter
		}
	}
	date := strings.ContainsAny(tokens.String(), "yd")
	clock := strings.ContainsAny(tokens.String(), "hs")
	switch {
	case date && clock:
		return asDateTime
	case date:
		return asDate
	case clock:
		return asTime
	}
	return asNumber
}

// plainNumber writes a stored number without exponent. Integers are kept
// digit for digit (long ids); other numbers are rounded to the 15
// significant digits Excel keeps, so 0.30000000000000004 reads 0.3.
func plainNumber(s string) string {
	if digits := strings.TrimPrefix(s, "-"); digits != "" && strings.Trim(digits, "0123456789") == "" {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}
