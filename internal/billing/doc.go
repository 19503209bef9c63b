// Package billing compares recounted tokens with billed usage and prices
// both exactly.
//
//   - Usage is the normal form of billed usage (disjoint uncached input,
//     cache reads, 5-minute and 1-hour cache writes; output with its
//     hidden-reasoning part), with converters from OpenAI's, Anthropic's
//     and Bedrock's conventions.
//   - Compare and Reconciler reconcile records: per record the delta
//     (billed minus recounted) and its likely cause; per model exact sums,
//     mean, median and p99 of the deltas, the records outside a tolerance,
//     and the framing overhead learned from the data.
//   - PriceTable reads a JSON price table (README.md has the format) and
//     rejects a malformed one with the line and the reason; Invoice prices
//     billed and recounted usage in exact rational arithmetic and rounds
//     once per invoice line.
//   - State, ReconcilerFromState, InvoiceFromState and Invoice.Merge keep
//     the statistics and invoice lines as data for a JSON result, so that
//     the results of shards merge into the result of one run.
//
// The package has its own record type (Record), so that any log reader
// can feed it; tokcount recount --reconcile (package internal/recount)
// is the command that does, and README.md describes it with a worked
// example.
package billing
