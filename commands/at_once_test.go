package commands_test

import "sync"

// atOnce makes the n calls call(0) … call(n-1) as nearly at once as it
// can, each in a goroutine released together with the others, and
// returns when all have returned: the way the race tests contend.
func atOnce(n int, call func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			call(i)
		})
	}
	close(start)
	wg.Wait()
}
