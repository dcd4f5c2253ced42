package uow

import "sync"

// Parallel calls do(i) for every i from 0 to n-1, at most workers calls at
// once. After the first error it starts no further call and, once the
// calls under way have returned, returns that error. do must be safe for
// concurrent use.
func Parallel(n, workers int, do func(i int) error) error {
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs
}
