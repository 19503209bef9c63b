//go:build !tokcount_small

package prebuilt

import _ "embed"

//go:embed cl100k_base.img
var cl100kBase string

//go:embed o200k_base.img
var o200kBase string

// image returns the embedded image of the rank table name (a vocab.Spec's
// RanksName).
func image(name string) (string, bool) {
	switch name {
	case "cl100k_base":
		return cl100kBase, true
	case "o200k_base":
		return o200kBase, true
	}
	return "", false
}

// Names returns the rank tables that have an image, sorted.
func Names() []string { return []string{"cl100k_base", "o200k_base"} }
