package cli

import (
	"context"
	"io"
	"sync"

	"github.com/tokcount/tokcount/internal/source"
)

// runBlocks is the streaming pipeline: one goroutine frames the input into
// blocks (source.Chunker), workers goroutines run work on them, and the
// calling goroutine hands the results to emit in input order (an ordered
// merge). A block goes back to the chunker as soon as its work is done, so
// memory stays bounded by the chunker's buffers plus the results in flight.
//
// It returns the first of: emit's error, the read error, ctx's error.
func runBlocks[R any](ctx context.Context, ch *source.Chunker, workers int, work func([]byte) R, emit func(R) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		data []byte
		done chan R
	}
	jobs := make(chan job, workers)
	order := make(chan chan R, ch.Buffers())
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		for {
			data, err := ch.Next(ctx)
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			j := job{data, make(chan R, 1)}
			jobs <- j
			order <- j.done
		}
	}()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := work(j.data)
				ch.Release(j.data)
				j.done <- r
			}
		}()
	}
	var emitErr error
	for done := range order {
		r := <-done
		if emitErr == nil {
			if emitErr = emit(r); emitErr != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if emitErr != nil {
		return emitErr
	}
	return readErr
}
