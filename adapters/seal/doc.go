// Package seal makes the event history tamper-evident for auditors who
// do not trust the people running the service.
//
// A Sealer follows the global order behind the readers' safe watermark,
// as the projections do, and adds each event as a leaf of a Merkle tree
// in the style of RFC 6962 (Certificate Transparency), built with
// golang.org/x/mod/sumdb/tlog, the Go checksum database's own log. The
// leaf hash covers event.LeafBytes: every stored field of the event,
// the payload byte for byte. The tree is kept as tlog tiles (a row per
// 16 hashes of a level) and the leaves as runs of consecutive positions,
// so sealing a batch writes a few rows. Now and then it signs a tree
// head — the tree's size, root hash and last position — with the
// installation's Ed25519 key as a signed note
// (golang.org/x/mod/sumdb/note). The key is kept like the master key, in
// a file or the environment, never in the database; its public half is
// all an auditor needs. Appends never wait for the sealer.
//
// Verify recomputes the tree from the events as stored and checks every
// signed head against it and every leaf against what was sealed, naming
// the first position that differs: a changed byte, a deleted, inserted or
// swapped event, a truncated tail, an altered head. Prove and Consistency
// give the inclusion proof of one event and the proof that today's log
// extends an older head, which an auditor checks with the public key
// alone. Erasing a person changes nothing here: the hashes cover their
// data as ciphertext.
package seal
