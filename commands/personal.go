package commands

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// checkPersonal validates personal fields in plaintext, before they are
// sealed: once sealed, nothing can look at them again, and a refusal must
// not leave a key behind for a person who was never registered.
func checkPersonal(cmd RegisterEmployee, now time.Time) error {
	if err := checkPersonName("name", cmd.Name); err != nil {
		return err
	}
	if !validIDNumber(cmd.IDNumber) {
		return &fault.ValidationError{Field: "id_number", Reason: "must be an 18-character resident ID number with a valid check digit"}
	}
	if cmd.Phone != "" && !validPhone(cmd.Phone) {
		return &fault.ValidationError{Field: "phone", Reason: "must be 5 to 20 digits, optionally with +, - and spaces"}
	}
	if cmd.BankAccount != "" && !allDigits(cmd.BankAccount, 12, 30) {
		return &fault.ValidationError{Field: "bank_account", Reason: "must be 12 to 30 digits"}
	}
	for i, f := range cmd.Family {
		field := "family[" + itoa(i) + "]"
		if err := checkPersonName(field+".name", f.Name); err != nil {
			return err
		}
		if !f.Relation.Valid() {
			return &fault.ValidationError{Field: field + ".relation", Reason: "must be spouse, child, parent or other"}
		}
		born, err := time.Parse(org.DateLayout, f.BirthDate)
		if err != nil || born.After(now) {
			return &fault.ValidationError{Field: field + ".birth_date", Reason: "must be a past date, YYYY-MM-DD"}
		}
	}
	return nil
}

func checkPersonName(field, name string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n < 1 || n > 50 || strings.ContainsFunc(name, unicode.IsControl) {
		return &fault.ValidationError{Field: field, Reason: "must be 1 to 50 printable characters"}
	}
	return nil
}

// validIDNumber checks a mainland resident identity number: 17 digits and
// a check character computed by ISO 7064 MOD 11-2 (GB 11643).
func validIDNumber(s string) bool {
	if len(s) != 18 || !allDigits(s[:17], 17, 17) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s[17] == "10X98765432"[sum%11]
}

func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == '-', r == ' ':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

func allDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// checkNote checks free text about a person before it is sealed: 1..2000
// bytes, no control characters but line breaks and tabs.
func checkNote(field, s string) error {
	if len(s) == 0 || len(s) > 2000 || !utf8.ValidString(s) ||
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return &fault.ValidationError{Field: field, Reason: "must be 1 to 2000 bytes of text"}
	}
	return nil
}
