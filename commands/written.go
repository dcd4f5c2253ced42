package commands

// Written is what every command answers: the global position of the last
// event it wrote, which reads may wait for.
type Written struct {
	Position int64
}
