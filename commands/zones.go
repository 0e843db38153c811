package commands

import (
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// zoneList is a selection of IANA zones for autocompletion; any zone the
// time zone database knows is accepted.
const zoneList = `UTC Africa/Abidjan Africa/Accra Africa/Addis_Ababa Africa/Algiers Africa/Bamako Africa/Cairo
Africa/Casablanca Africa/Dakar Africa/Dar_es_Salaam Africa/Johannesburg Africa/Kampala Africa/Khartoum Africa/Kinshasa
Africa/Lagos Africa/Luanda Africa/Nairobi Africa/Ndjamena Africa/Niamey Africa/Ouagadougou Africa/Tripoli Africa/Tunis
America/Anchorage America/Bogota America/Buenos_Aires America/Caracas America/Chicago America/Denver America/Halifax
America/Lima America/Los_Angeles America/Mexico_City America/New_York America/Phoenix America/Santiago America/Sao_Paulo
America/Toronto America/Vancouver Asia/Baghdad Asia/Bangkok Asia/Beirut Asia/Dhaka Asia/Dubai Asia/Hong_Kong
Asia/Jakarta Asia/Jerusalem Asia/Kabul Asia/Karachi Asia/Kathmandu Asia/Kolkata Asia/Kuala_Lumpur Asia/Manila Asia/Qatar
Asia/Riyadh Asia/Seoul Asia/Shanghai Asia/Singapore Asia/Taipei Asia/Tehran Asia/Tokyo Asia/Yangon Atlantic/Reykjavik
Australia/Adelaide Australia/Brisbane Australia/Melbourne Australia/Perth Australia/Sydney Europe/Amsterdam Europe/Athens
Europe/Berlin Europe/Brussels Europe/Bucharest Europe/Budapest Europe/Copenhagen Europe/Dublin Europe/Helsinki
Europe/Istanbul Europe/Kyiv Europe/Lisbon Europe/London Europe/Madrid Europe/Moscow Europe/Oslo Europe/Paris
Europe/Prague Europe/Rome Europe/Stockholm Europe/Vienna Europe/Warsaw Europe/Zurich Pacific/Auckland Pacific/Honolulu`

// ZoneNames lists common IANA zones, for autocompletion.
func ZoneNames() []string { return strings.Fields(zoneList) }

// zoneAbbreviation maps a common abbreviation to the zones that use it.
func zoneAbbreviation(a string) []string {
	switch strings.ToUpper(a) {
	case "UTC", "GMT", "Z", "UT", "ZULU":
		return []string{"UTC"}
	case "CET", "CEST", "MET":
		return []string{"Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Brussels"}
	case "EET", "EEST":
		return []string{"Europe/Athens", "Europe/Helsinki", "Europe/Bucharest", "Europe/Kyiv", "Africa/Cairo"}
	case "WET", "WEST":
		return []string{"Europe/Lisbon", "Atlantic/Canary"}
	case "BST":
		return []string{"Europe/London"}
	case "WAT":
		return []string{"Africa/Lagos", "Africa/Niamey", "Africa/Ndjamena", "Africa/Kinshasa"}
	case "CAT":
		return []string{"Africa/Maputo", "Africa/Harare", "Africa/Lusaka"}
	case "EAT":
		return []string{"Africa/Nairobi", "Africa/Addis_Ababa", "Africa/Dar_es_Salaam", "Africa/Kampala"}
	case "SAST":
		return []string{"Africa/Johannesburg"}
	case "EST", "EDT", "ET":
		return []string{"America/New_York", "America/Toronto"}
	case "CST", "CDT", "CT":
		return []string{"America/Chicago", "America/Mexico_City", "Asia/Shanghai"}
	case "MST", "MDT", "MT":
		return []string{"America/Denver", "America/Phoenix"}
	case "PST", "PDT", "PT":
		return []string{"America/Los_Angeles", "America/Vancouver"}
	case "IST":
		return []string{"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"}
	case "JST":
		return []string{"Asia/Tokyo"}
	case "KST":
		return []string{"Asia/Seoul"}
	case "HKT":
		return []string{"Asia/Hong_Kong"}
	case "SGT":
		return []string{"Asia/Singapore"}
	case "AEST", "AEDT":
		return []string{"Australia/Sydney", "Australia/Melbourne"}
	case "MSK":
		return []string{"Europe/Moscow"}
	}
	return nil
}

// ParseZone reads a time zone: an IANA name (any case, "new york" for
// America/New_York too) or an abbreviation that names one zone; an
// ambiguous abbreviation such as CET is refused with the zones it could
// mean.
func ParseZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", briefings.Errorf(briefings.CodeInvalid, "no time zone given; use an IANA name such as Europe/Berlin")
	}
	if len(s) > 64 {
		return "", briefings.Errorf(briefings.CodeInvalid, "%q is not a time zone; use an IANA name such as Europe/Berlin", truncate(s, 30))
	}
	if zs := zoneAbbreviation(s); len(zs) == 1 {
		return zs[0], nil
	} else if len(zs) > 1 {
		return "", briefings.Errorf(briefings.CodeInvalid, "%s is ambiguous: it is used by %s and others. Give the zone of your city, for example `%s`", strings.ToUpper(s), strings.Join(zs, ", "), zs[0])
	}
	if !strings.Contains(s, "/") {
		// A city: "berlin", "new york".
		city := strings.ReplaceAll(strings.ToLower(s), " ", "_")
		for _, z := range ZoneNames() {
			if strings.ToLower(z[strings.LastIndexByte(z, '/')+1:]) == city {
				return z, nil
			}
		}
	}
	for _, z := range ZoneNames() {
		if strings.EqualFold(z, s) {
			return z, nil
		}
	}
	if _, err := time.LoadLocation(s); err == nil && s != "Local" {
		return s, nil
	}
	msg := "I don't know the time zone %q. Use an IANA name such as Europe/Berlin or America/New_York"
	if near := nearestZones(s); len(near) > 0 {
		return "", briefings.Errorf(briefings.CodeInvalid, msg+" (did you mean %s?)", truncate(s, 40), strings.Join(near, " or "))
	}
	return "", briefings.Errorf(briefings.CodeInvalid, msg+".", truncate(s, 40))
}

// nearestZones suggests zones whose city is close to s.
func nearestZones(s string) []string {
	type cand struct {
		z string
		d int
	}
	var cs []cand
	ls := strings.ToLower(s)
	if i := strings.LastIndexByte(ls, '/'); i >= 0 {
		ls = ls[i+1:]
	}
	for _, z := range ZoneNames() {
		city := strings.ToLower(z[strings.LastIndexByte(z, '/')+1:])
		if d := levenshtein(ls, city); d <= 2 {
			cs = append(cs, cand{z, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].z < cs[j].z })
	var out []string
	for i := 0; i < len(cs) && i < 2; i++ {
		out = append(out, cs[i].z)
	}
	return out
}

// CompleteZones returns the zones starting with (or whose city starts with)
// prefix.
func CompleteZones(prefix string, limit int) []string {
	p := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(prefix), " ", "_"))
	var out []string
	for _, z := range ZoneNames() {
		lz := strings.ToLower(z)
		if p == "" || strings.HasPrefix(lz, p) || strings.HasPrefix(lz[strings.LastIndexByte(lz, '/')+1:], p) {
			out = append(out, z)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
