package discord

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// maxJSONDepth bounds the nesting of an interaction payload.
const maxJSONDepth = 64

// errTooDeep is returned for payloads nested deeper than maxJSONDepth.
var errTooDeep = errors.New("nested too deeply")

// complexValue stands for an option value that is an object or an array:
// no /brief option takes one.
type complexValue struct{}

// jsonDecoder reads an interaction payload in one pass, storing the fields
// of wireInteraction and checking the syntax of everything else. For every
// input it accepts it produces what encoding/json's Unmarshal produces
// into the same struct (same key matching, null handling, duplicate keys
// and element reuse); the differential fuzz test pins this.
type jsonDecoder struct {
	b     []byte
	src   string // b as a string: plain strings are slices of it
	i     int
	depth int
}

// decodeWire decodes body into w.
func decodeWire(body []byte, w *wireInteraction) error {
	d := jsonDecoder{b: body, src: string(body)}
	d.ws()
	switch d.peek() {
	case '{':
		if err := d.object(func(key []byte) error { return d.interactionField(w, key) }); err != nil {
			return err
		}
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
	default:
		return d.errorf("an interaction must be a JSON object")
	}
	d.ws()
	if d.i != len(d.b) {
		return d.errorf("unexpected data after the interaction")
	}
	return nil
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid interaction JSON at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *jsonDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) literal(lit string) error {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return d.errorf("invalid literal")
	}
	d.i += len(lit)
	return nil
}

// object reads an object, calling field for each key with the decoder at
// the start of the value; field must consume the value.
func (d *jsonDecoder) object(field func(key []byte) error) error {
	d.depth++
	if d.depth > maxJSONDepth {
		return errTooDeep
	}
	d.i++ // {
	d.ws()
	if d.peek() == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("expected a key")
		}
		key, err := d.rawString()
		if err != nil {
			return err
		}
		d.ws()
		if d.peek() != ':' {
			return d.errorf("expected ':'")
		}
		d.i++
		d.ws()
		if err := field(key); err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			d.depth--
			return nil
		default:
			return d.errorf("expected ',' or '}'")
		}
	}
}

// array reads an array, calling elem with the decoder at each element.
func (d *jsonDecoder) array(elem func(i int) error) error {
	d.depth++
	if d.depth > maxJSONDepth {
		return errTooDeep
	}
	d.i++ // [
	d.ws()
	if d.peek() == ']' {
		d.i++
		d.depth--
		return nil
	}
	for n := 0; ; n++ {
		if err := elem(n); err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			d.depth--
			return nil
		default:
			return d.errorf("expected ',' or ']'")
		}
	}
}

// skip checks and passes over any value. It works without recursion: a
// bit per level says whether that level is an object or an array.
func (d *jsonDecoder) skip() error {
	var objects uint64 // bit n set: level n is an object
	level := 0
	for {
		// A value is expected at d.i.
		d.ws()
		switch c := d.peek(); {
		case c == '{' || c == '[':
			if d.depth+level+1 > maxJSONDepth {
				return errTooDeep
			}
			d.i++
			d.ws()
			if c == '{' {
				objects |= 1 << level
			} else {
				objects &^= 1 << level
			}
			level++
			if end := closer(c); d.peek() == end {
				d.i++
				level--
				break
			}
			if c == '{' {
				if err := d.keyColon(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if err := d.skipString(); err != nil {
				return err
			}
		case c == 't':
			if err := d.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if _, err := d.number(); err != nil {
				return err
			}
		default:
			return d.errorf("expected a value")
		}
		// After a value: close levels until one goes on with ','.
		for {
			if level == 0 {
				return nil
			}
			d.ws()
			isObject := objects&(1<<(level-1)) != 0
			c := d.peek()
			if c == ',' {
				d.i++
				d.ws()
				if isObject {
					if err := d.keyColon(); err != nil {
						return err
					}
				}
				break
			}
			if (isObject && c == '}') || (!isObject && c == ']') {
				d.i++
				level--
				continue
			}
			return d.errorf("expected ',' or the end of a container")
		}
	}
}

func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// keyColon passes over an object key and its colon.
func (d *jsonDecoder) keyColon() error {
	if d.peek() != '"' {
		return d.errorf("expected a key")
	}
	if err := d.skipString(); err != nil {
		return err
	}
	d.ws()
	if d.peek() != ':' {
		return d.errorf("expected ':'")
	}
	d.i++
	return nil
}

// skipString passes over a string, checking escapes and control bytes.
func (d *jsonDecoder) skipString() error {
	_, err := d.scanString()
	return err
}

// scanString passes over a string and reports whether its body is plain:
// ASCII without escapes, usable as it stands.
func (d *jsonDecoder) scanString() (plain bool, err error) {
	plain = true
	d.i++ // "
	b := d.b
	for i := d.i; i < len(b); {
		c := b[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c >= utf8.RuneSelf {
				plain = false
			}
			i++
			continue
		}
		switch c {
		case '"':
			d.i = i + 1
			return plain, nil
		case '\\':
			plain = false
			d.i = i
			if err := d.checkEscape(); err != nil {
				return false, err
			}
			i = d.i
		default:
			d.i = i
			return false, d.errorf("control character in a string")
		}
	}
	d.i = len(b)
	return false, d.errorf("unterminated string")
}

// checkEscape passes over one escape sequence at d.i.
func (d *jsonDecoder) checkEscape() error {
	if d.i+1 >= len(d.b) {
		return d.errorf("unterminated escape")
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return nil
	case 'u':
		if d.i+6 > len(d.b) {
			return d.errorf("short \\u escape")
		}
		for _, h := range d.b[d.i+2 : d.i+6] {
			if !isHex(h) {
				return d.errorf("bad \\u escape")
			}
		}
		d.i += 6
		return nil
	}
	return d.errorf("bad escape")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// stringValue reads a string value; a plain one shares the payload's
// memory instead of being copied.
func (d *jsonDecoder) stringValue() (string, error) {
	start := d.i
	plain, err := d.scanString()
	if err != nil {
		return "", err
	}
	inner := d.b[start+1 : d.i-1]
	if plain || asIs(inner) {
		if d.src != "" {
			return d.src[start+1 : d.i-1], nil
		}
		return string(inner), nil
	}
	return string(unquote(inner)), nil
}

// rawString reads a string and returns its unquoted bytes, sharing the
// input when nothing needs unquoting.
func (d *jsonDecoder) rawString() ([]byte, error) {
	start := d.i
	plain, err := d.scanString()
	if err != nil {
		return nil, err
	}
	s := d.b[start+1 : d.i-1]
	if plain || asIs(s) {
		return s, nil
	}
	return unquote(s), nil
}

// asIs reports whether a string body needs no unquoting: no escapes and
// valid UTF-8.
func asIs(s []byte) bool {
	for j := 0; j < len(s); {
		c := s[j]
		switch {
		case c == '\\':
			return false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s[j:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			j += size
		default:
			j++
		}
	}
	return true
}

// unquote decodes the escapes of a checked string body and coerces it to
// valid UTF-8, as encoding/json does.
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if rr1 := getu4(s[r:]); rr1 >= 0 {
						if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
							r += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // " \ /
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return b
}

func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// number reads a number literal with JSON's grammar.
func (d *jsonDecoder) number() ([]byte, error) {
	start := d.i
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return nil, d.errorf("bad number")
	}
	if d.peek() == '.' {
		d.i++
		if n := d.digits(); n == 0 {
			return nil, d.errorf("bad number")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if n := d.digits(); n == 0 {
			return nil, d.errorf("bad number")
		}
	}
	return d.b[start:d.i], nil
}

func (d *jsonDecoder) digits() int {
	n := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// str reads a string field: a string sets it, null leaves it.
func (d *jsonDecoder) str(dst *string) error {
	switch d.peek() {
	case '"':
		s, err := d.stringValue()
		if err != nil {
			return err
		}
		*dst = s
		return nil
	case 'n':
		return d.literal("null")
	}
	return d.typeError("a string")
}

// typeError checks the value's syntax, then reports the wrong type.
func (d *jsonDecoder) typeError(want string) error {
	if err := d.skip(); err != nil {
		return err
	}
	return d.errorf("expected %s", want)
}

// uint8Field reads a small unsigned number: a number sets it, null leaves it.
func uint8Field[T ~uint8](d *jsonDecoder, dst *T) error {
	c := d.peek()
	if c == 'n' {
		return d.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return d.typeError("a number")
	}
	lit, err := d.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(string(lit), 10, 8)
	if err != nil {
		return d.errorf("number %s out of range", lit)
	}
	*dst = T(n)
	return nil
}

// boolField reads a boolean: true or false sets it, null leaves it.
func (d *jsonDecoder) boolField(dst *bool) error {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.typeError("a boolean")
}

// quotedInt reads an int64 sent as a string ("permissions": "2048").
func (d *jsonDecoder) quotedInt(dst *int64) error {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '"':
	default:
		return d.typeError("a quoted number")
	}
	s, err := d.rawString()
	if err != nil {
		return err
	}
	if string(s) == "null" {
		return nil
	}
	inner := jsonDecoder{b: s}
	if lit, err := inner.number(); err != nil || len(lit) != len(s) {
		return d.errorf("expected a quoted number")
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return d.errorf("quoted number %q out of range", s)
	}
	*dst = n
	return nil
}

// anyValue reads an option value: a string, a float64, a bool or nil; an
// object or array becomes complexValue{}.
func (d *jsonDecoder) anyValue() (any, error) {
	switch c := d.peek(); {
	case c == '"':
		return d.stringValue()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '{' || c == '[':
		return complexValue{}, d.skip()
	case c == '-' || (c >= '0' && c <= '9'):
		lit, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(lit), 64)
		if err != nil {
			return nil, d.errorf("number %s out of range", lit)
		}
		return f, nil
	}
	return nil, d.errorf("expected a value")
}

// matchKey returns the name key stands for, matching as encoding/json
// does: an exact match first, else a case-insensitive one; "" for none.
// The names are ASCII, so an ASCII key can only fold onto a name of its
// length; other keys (say "K" for "k") need Unicode folding.
func matchKey(key []byte, names ...string) string {
	for _, n := range names {
		if string(key) == n {
			return n
		}
	}
	ascii := true
	for _, c := range key {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	for _, n := range names {
		if (!ascii || len(key) == len(n)) && bytes.EqualFold(key, []byte(n)) {
			return n
		}
	}
	return ""
}

func (d *jsonDecoder) interactionField(w *wireInteraction, key []byte) error {
	switch matchKey(key, "id", "application_id", "type", "token", "guild_id", "channel_id", "locale", "member", "user", "data") {
	case "id":
		return d.str(&w.ID)
	case "application_id":
		return d.str(&w.AppID)
	case "type":
		return uint8Field(d, &w.Type)
	case "token":
		return d.str(&w.Token)
	case "guild_id":
		return d.str(&w.GuildID)
	case "channel_id":
		return d.str(&w.ChannelID)
	case "locale":
		s := string(w.Locale)
		err := d.str(&s)
		w.Locale = discordgo.Locale(s)
		return err
	case "member":
		return pointerObject(d, &w.Member, d.memberField)
	case "user":
		return pointerObject(d, &w.User, d.userField)
	case "data":
		return pointerObject(d, &w.Data, d.dataField)
	}
	return d.skip()
}

// pointerObject decodes an object into *dst, allocating it when nil (and
// reusing it otherwise, as encoding/json does); null sets it to nil.
func pointerObject[T any](d *jsonDecoder, dst **T, field func(v *T, key []byte) error) error {
	switch d.peek() {
	case 'n':
		*dst = nil
		return d.literal("null")
	case '{':
		if *dst == nil {
			*dst = new(T)
		}
		v := *dst
		return d.object(func(key []byte) error { return field(v, key) })
	}
	return d.typeError("an object")
}

func (d *jsonDecoder) memberField(m *wireMember, key []byte) error {
	switch matchKey(key, "user", "roles", "permissions") {
	case "user":
		return pointerObject(d, &m.User, d.userField)
	case "roles":
		return sliceField(d, &m.Roles, func(s *string) error { return d.str(s) })
	case "permissions":
		return d.quotedInt(&m.Permissions)
	}
	return d.skip()
}

func (d *jsonDecoder) userField(u *wireUser, key []byte) error {
	if matchKey(key, "id") != "" {
		return d.str(&u.ID)
	}
	return d.skip()
}

func (d *jsonDecoder) dataField(data *wireData, key []byte) error {
	switch matchKey(key, "id", "name", "type", "options") {
	case "id":
		return d.str(&data.ID)
	case "name":
		return d.str(&data.Name)
	case "type":
		return uint8Field(d, &data.Type)
	case "options":
		return d.options(&data.Options)
	}
	return d.skip()
}

func (d *jsonDecoder) options(dst *[]*discordgo.ApplicationCommandInteractionDataOption) error {
	return sliceField(d, dst, func(o **discordgo.ApplicationCommandInteractionDataOption) error {
		return pointerObject(d, o, d.optionField)
	})
}

func (d *jsonDecoder) optionField(o *discordgo.ApplicationCommandInteractionDataOption, key []byte) error {
	switch matchKey(key, "name", "type", "value", "options", "focused") {
	case "name":
		return d.str(&o.Name)
	case "type":
		return uint8Field(d, &o.Type)
	case "value":
		v, err := d.anyValue()
		if err == nil {
			o.Value = v
		}
		return err
	case "options":
		return d.options(&o.Options)
	case "focused":
		return d.boolField(&o.Focused)
	}
	return d.skip()
}

// sliceField decodes an array into *dst the way encoding/json does:
// elements are decoded in place (reusing what the slice held), the slice is
// cut to the elements read, an empty array gives an empty slice and null a
// nil one.
func sliceField[T any](d *jsonDecoder, dst *[]T, elem func(*T) error) error {
	switch d.peek() {
	case 'n':
		*dst = nil
		return d.literal("null")
	case '[':
	default:
		return d.typeError("an array")
	}
	s := *dst
	n := 0
	err := d.array(func(i int) error {
		if i >= cap(s) {
			s = slices.Grow(s, 1)
		}
		if i >= len(s) {
			s = s[:i+1]
		}
		n = i + 1
		return elem(&s[i])
	})
	if err != nil {
		return err
	}
	if n < len(s) {
		s = s[:n]
	}
	if n == 0 {
		s = make([]T, 0)
	}
	*dst = s
	return nil
}
