//go:build tokcount_small

package prebuilt

// image reports that no table has an image: built with tokcount_small,
// the program embeds none.
func image(string) (string, bool) { return "", false }

// Names returns the rank tables that have an image: none.
func Names() []string { return nil }
