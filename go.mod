module github.com/tokcount/tokcount

go 1.26.8

require (
	github.com/dlclark/regexp2 v1.12.0
	github.com/klauspost/compress v1.20.4
	github.com/minio/simdjson-go v0.4.5
	golang.org/x/sys v0.0.0-20220704084225-05e143d24a9e
	golang.org/x/text v0.44.0
)

require github.com/klauspost/cpuid/v2 v2.2.3 // indirect
