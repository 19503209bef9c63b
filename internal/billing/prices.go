package billing

import (
	"fmt"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PriceFormat is the value of a price table's "format" key.
const PriceFormat = "tokcount-prices/1"

// PriceTable is a parsed price table (see README.md for the file format).
type PriceTable struct {
	Currency string
	// Decimals is the currency's minor unit (2 for cents): the default
	// rounding places of an invoice line.
	Decimals int
	// PerTokens is the number of tokens that a price is for (1000000).
	PerTokens int64
	Note      string
	exact     map[string]*modelPrices
	prefixes  []*modelPrices // longest first
}

type modelPrices struct {
	pattern     string // the model name, or the prefix with "*"
	prefix      bool
	source      string
	multipliers map[string]*big.Rat
	periods     []*period // by From ascending
}

type period struct {
	from   time.Time
	unit   [numKinds]*big.Rat // price per PerTokens tokens; nil: not priced
	source string
}

// Price is the price of a model on a day.
type Price struct {
	// Pattern is the table entry that matched: the model name, or a
	// prefix followed by "*".
	Pattern string
	// From is the first day (UTC) of the price.
	From      time.Time
	Currency  string
	PerTokens int64
	// Unit holds the price per PerTokens tokens by Kind; nil where the
	// table has none. A nil Reasoning price means reasoning is billed as
	// output.
	Unit        [numKinds]*big.Rat
	Multipliers map[string]*big.Rat
	Source      string
}

// PerToken returns the exact price of one token of kind k with the
// multiplier named mult ("" for none); ok is false when k is not priced
// or mult is unknown.
func (p *Price) PerToken(k Kind, mult string) (*big.Rat, bool) {
	u := p.Unit[k]
	if u == nil {
		return nil, false
	}
	r := new(big.Rat).Quo(u, new(big.Rat).SetInt64(p.PerTokens))
	if mult != "" {
		m, ok := p.Multipliers[mult]
		if !ok {
			return nil, false
		}
		r.Mul(r, m)
	}
	return r, true
}

// LoadPriceTable reads and checks a price table file.
func LoadPriceTable(path string) (*PriceTable, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePriceTable(data, path)
}

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	nameRE     = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// ParsePriceTable parses and checks a price table. Any fault (bad JSON,
// an unknown key, a wrong type, a price that is not a plain decimal, a
// date that is not YYYY-MM-DD, a duplicate model, prefix or date, a
// missing input or output price) is a *TableError with the line and the
// reason; file names the table in it.
func ParsePriceTable(data []byte, file string) (*PriceTable, error) {
	root, err := parsePositioned(data, file)
	if err != nil {
		return nil, err
	}
	p := &pparser{data: data, file: file}
	t := &PriceTable{Decimals: 2, exact: map[string]*modelPrices{}}
	obj, err := p.object(root, "the table", map[string]bool{"format": true, "currency": true, "per_tokens": true, "models": true},
		"format", "currency", "decimals", "per_tokens", "note", "sources", "multipliers", "models")
	if err != nil {
		return nil, err
	}
	if f := obj["format"]; f.kind != 's' || f.str != PriceFormat {
		return nil, p.errAt(f.off, "format must be %q", PriceFormat)
	}
	if c := obj["currency"]; c.kind != 's' || !currencyRE.MatchString(c.str) {
		return nil, p.errAt(c.off, "currency must be an ISO 4217 code such as \"USD\"")
	} else {
		t.Currency = c.str
	}
	if d, ok := obj["decimals"]; ok {
		n, err := strconv.Atoi(d.str)
		if d.kind != 'n' || err != nil || n < 0 || n > 18 {
			return nil, p.errAt(d.off, "decimals must be an integer from 0 to 18")
		}
		t.Decimals = n
	}
	pt := obj["per_tokens"]
	if n, err := strconv.ParseInt(pt.str, 10, 64); pt.kind != 'n' || err != nil || n <= 0 {
		return nil, p.errAt(pt.off, "per_tokens must be a positive integer, such as 1000000")
	} else {
		t.PerTokens = n
	}
	if n, ok := obj["note"]; ok {
		if n.kind != 's' {
			return nil, p.errAt(n.off, "note must be a string")
		}
		t.Note = n.str
	}
	if s, ok := obj["sources"]; ok {
		if err := p.strings(s, "sources"); err != nil {
			return nil, err
		}
	}
	global := map[string]*big.Rat{}
	if m, ok := obj["multipliers"]; ok {
		if global, err = p.multipliers(m, nil); err != nil {
			return nil, err
		}
	}
	models := obj["models"]
	if models.kind != 'a' || len(models.vals) == 0 {
		return nil, p.errAt(models.off, "models must be a non-empty array")
	}
	seen := map[string]int64{}
	for _, mn := range models.vals {
		mp, err := p.model(mn, global)
		if err != nil {
			return nil, err
		}
		key := mp.pattern
		if prev, dup := seen[key]; dup {
			return nil, p.errAt(mn.off, "%s is already priced (line %d)", describe(mp), p.errAt(prev, "").Line)
		}
		seen[key] = mn.off
		if mp.prefix {
			t.prefixes = append(t.prefixes, mp)
		} else {
			t.exact[mp.pattern] = mp
		}
	}
	slices.SortStableFunc(t.prefixes, func(a, b *modelPrices) int { return len(b.pattern) - len(a.pattern) })
	return t, nil
}

func describe(mp *modelPrices) string {
	if mp.prefix {
		return fmt.Sprintf("prefix %q", strings.TrimSuffix(mp.pattern, "*"))
	}
	return fmt.Sprintf("model %q", mp.pattern)
}

// object checks that n is an object with only the allowed keys and all the
// required ones, and returns its members.
func (p *pparser) object(n *pnode, what string, required map[string]bool, allowed ...string) (map[string]*pnode, error) {
	if n.kind != 'o' {
		return nil, p.errAt(n.off, "%s must be an object, not %s", what, kindName(n.kind))
	}
	out := map[string]*pnode{}
	for i, k := range n.keys {
		if !slices.Contains(allowed, k.name) {
			return nil, p.errAt(k.off, "unknown key %q in %s (known: %s)", k.name, what, strings.Join(allowed, ", "))
		}
		out[k.name] = n.vals[i]
	}
	for _, k := range allowed {
		if required[k] && out[k] == nil {
			return nil, p.errAt(n.off, "%s has no %q", what, k)
		}
	}
	return out, nil
}

func (p *pparser) strings(n *pnode, what string) error {
	if n.kind != 'a' {
		return p.errAt(n.off, "%s must be an array of strings", what)
	}
	for _, v := range n.vals {
		if v.kind != 's' {
			return p.errAt(v.off, "%s must be an array of strings", what)
		}
	}
	return nil
}

func (p *pparser) multipliers(n *pnode, base map[string]*big.Rat) (map[string]*big.Rat, error) {
	if n.kind != 'o' {
		return nil, p.errAt(n.off, "multipliers must be an object of name: fraction")
	}
	out := map[string]*big.Rat{}
	for k, v := range base {
		out[k] = v
	}
	for i, k := range n.keys {
		v := n.vals[i]
		if !nameRE.MatchString(k.name) {
			return nil, p.errAt(k.off, "multiplier name %q: want lower-case letters, digits, - and _", k.name)
		}
		r, ok := (*big.Rat)(nil), false
		if v.kind == 's' {
			r, ok = parseFraction(v.str)
		}
		if !ok || r.Sign() <= 0 {
			return nil, p.errAt(v.off, "multiplier %q must be a positive fraction or decimal in a string, such as \"1/2\" or \"0.5\" (the share of the price paid)", k.name)
		}
		out[k.name] = r
	}
	return out, nil
}

var modelKeys = []string{"model", "prefix", "source", "note", "multipliers", "prices"}

func (p *pparser) model(n *pnode, global map[string]*big.Rat) (*modelPrices, error) {
	obj, err := p.object(n, "a model entry", map[string]bool{"prices": true}, modelKeys...)
	if err != nil {
		return nil, err
	}
	mp := &modelPrices{multipliers: global}
	name, hasName := obj["model"]
	prefix, hasPrefix := obj["prefix"]
	switch {
	case hasName == hasPrefix:
		return nil, p.errAt(n.off, "a model entry needs exactly one of \"model\" (an exact name) and \"prefix\"")
	case hasName:
		if name.kind != 's' || name.str == "" {
			return nil, p.errAt(name.off, "model must be a non-empty string")
		}
		mp.pattern = name.str
	default:
		if prefix.kind != 's' || prefix.str == "" {
			return nil, p.errAt(prefix.off, "prefix must be a non-empty string")
		}
		mp.pattern, mp.prefix = prefix.str+"*", true
	}
	for _, k := range []string{"source", "note"} {
		if v, ok := obj[k]; ok {
			if v.kind != 's' {
				return nil, p.errAt(v.off, "%s must be a string", k)
			}
		}
	}
	if s, ok := obj["source"]; ok {
		mp.source = s.str
	}
	if m, ok := obj["multipliers"]; ok {
		if mp.multipliers, err = p.multipliers(m, global); err != nil {
			return nil, err
		}
	}
	prices := obj["prices"]
	if prices.kind != 'a' || len(prices.vals) == 0 {
		return nil, p.errAt(prices.off, "prices must be a non-empty array of {\"from\": date, \"input\": …, \"output\": …}")
	}
	dates := map[time.Time]int64{}
	for _, pn := range prices.vals {
		per, err := p.period(pn)
		if err != nil {
			return nil, err
		}
		if prev, dup := dates[per.from]; dup {
			return nil, p.errAt(pn.off, "%s has two prices from %s (the other at line %d)", describe(mp), per.from.Format(time.DateOnly), p.errAt(prev, "").Line)
		}
		dates[per.from] = pn.off
		if per.source == "" {
			per.source = mp.source
		}
		mp.periods = append(mp.periods, per)
	}
	slices.SortFunc(mp.periods, func(a, b *period) int { return a.from.Compare(b.from) })
	return mp, nil
}

var periodKeys = []string{"from", "input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "reasoning", "source", "note"}

func (p *pparser) period(n *pnode) (*period, error) {
	obj, err := p.object(n, "a price", map[string]bool{"from": true, "input": true, "output": true}, periodKeys...)
	if err != nil {
		return nil, err
	}
	per := &period{}
	f := obj["from"]
	d, err := time.Parse(time.DateOnly, f.str)
	if f.kind != 's' || err != nil {
		return nil, p.errAt(f.off, "from must be a date \"YYYY-MM-DD\" (UTC), the first day of the price")
	}
	per.from = d
	for _, k := range Kinds() {
		v, ok := obj[k.String()]
		if !ok {
			continue
		}
		var r *big.Rat
		if v.kind == 's' || v.kind == 'n' {
			r, ok = parseDecimal(v.str)
		}
		if r == nil || !ok {
			return nil, p.errAt(v.off, "%s price must be a plain decimal such as \"2.50\" (a string, or a number without exponent)", k)
		}
		if r.Sign() < 0 {
			return nil, p.errAt(v.off, "%s price is negative", k)
		}
		per.unit[k] = r
	}
	for _, k := range []string{"source", "note"} {
		if v, ok := obj[k]; ok && v.kind != 's' {
			return nil, p.errAt(v.off, "%s must be a string", k)
		}
	}
	if s, ok := obj["source"]; ok {
		per.source = s.str
	}
	return per, nil
}

// Lookup returns the price of model on the UTC day of t: the exact entry
// for model, else the longest prefix that model starts with; within it,
// the price with the latest "from" on or before that day. ok is false
// when the table has no entry for model, or none in force that day.
func (t *PriceTable) Lookup(model string, at time.Time) (*Price, bool) {
	mp := t.exact[model]
	if mp == nil {
		for _, c := range t.prefixes {
			if strings.HasPrefix(model, strings.TrimSuffix(c.pattern, "*")) {
				mp = c
				break
			}
		}
	}
	if mp == nil {
		return nil, false
	}
	day := dayOf(at)
	var in *period
	for _, per := range mp.periods {
		if per.from.After(day) {
			break
		}
		in = per
	}
	if in == nil {
		return nil, false
	}
	return &Price{Pattern: mp.pattern, From: in.from, Currency: t.Currency, PerTokens: t.PerTokens,
		Unit: in.unit, Multipliers: mp.multipliers, Source: in.source}, true
}

// Covers says whether the table has an entry for model (on any day).
func (t *PriceTable) Covers(model string) bool {
	if t.exact[model] != nil {
		return true
	}
	for _, c := range t.prefixes {
		if strings.HasPrefix(model, strings.TrimSuffix(c.pattern, "*")) {
			return true
		}
	}
	return false
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
