//go:build !amd64 || !gc || purego

package inflate

// fastAsm does nothing where there is no assembly: fast's Go loop does it
// all.
func (z *Reader) fastAsm() {}
