module github.com/tokcount/tokcount

go 1.26.8

require (
	github.com/dlclark/regexp2 v1.12.0
	github.com/klauspost/compress v1.20.4
)
