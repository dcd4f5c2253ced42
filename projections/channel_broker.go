package projections

import (
	"context"
	"errors"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// ChannelBroker is the in-process broker Run uses when Config.Broker is
// nil. Each handler has a queue of its own, so a read model that is slow
// for a while does not hold the others back: Publish waits only while
// some handler's queue is full. What a handler finds queued when it is
// ready is delivered as one batch (consecutive batches of events merged),
// so a handler that fell behind catches up in larger transactions.
// Batches published while no handler is subscribed are not kept.
type ChannelBroker struct {
	logger    watermill.LoggerAdapter
	maxMerged int // events of one merged delivery at most

	mu     sync.Mutex
	subs   []*queue
	closed bool
	done   chan struct{} // closed by Close
	pumps  sync.WaitGroup
}

// queueDepth is how many batches a handler's queue holds before Publish
// waits for it.
const queueDepth = 64

// NewChannelBroker returns an in-process broker whose merged deliveries
// hold at most 256 events (Config.MaxBatch's default); Close it when done.
func NewChannelBroker(logger watermill.LoggerAdapter) *ChannelBroker {
	return newChannelBroker(logger, defaultMaxBatch)
}

func newChannelBroker(logger watermill.LoggerAdapter, maxMerged int) *ChannelBroker {
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	return &ChannelBroker{logger: logger, maxMerged: maxMerged, done: make(chan struct{})}
}

// Publisher implements Broker.
func (b *ChannelBroker) Publisher() message.Publisher { return channelPublisher{b} }

// Subscriber implements Broker: each subscription is a queue of its own.
func (b *ChannelBroker) Subscriber(string) (message.Subscriber, error) {
	return channelSubscriber{b}, nil
}

// Close ends every subscription and waits for their deliveries to stop.
func (b *ChannelBroker) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
	b.mu.Unlock()
	b.pumps.Wait()
	return nil
}

// queue is one subscription: the batches waiting for its handler.
type queue struct {
	in  chan *message.Message
	out chan *message.Message
	ctx context.Context
}

type channelPublisher struct{ b *ChannelBroker }

// Publish queues msgs for every current subscription of topic, in order,
// waiting while a queue is full.
func (p channelPublisher) Publish(topic string, msgs ...*message.Message) error {
	if topic != Topic {
		return errors.New("projections: the channel broker carries only " + Topic)
	}
	p.b.mu.Lock()
	subs := p.b.subs
	closed := p.b.closed
	p.b.mu.Unlock()
	if closed {
		return errors.New("projections: channel broker closed")
	}
	for _, msg := range msgs {
		for _, q := range subs {
			select {
			case q.in <- msg:
			case <-q.ctx.Done(): // that handler has gone
			case <-p.b.done:
				return errors.New("projections: channel broker closed")
			}
		}
	}
	return nil
}

func (channelPublisher) Close() error { return nil }

type channelSubscriber struct{ b *ChannelBroker }

// Subscribe starts a subscription of topic that lasts until ctx ends or
// the broker closes.
func (s channelSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if topic != Topic {
		return nil, errors.New("projections: the channel broker carries only " + Topic)
	}
	b := s.b
	q := &queue{in: make(chan *message.Message, queueDepth), out: make(chan *message.Message), ctx: ctx}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("projections: channel broker closed")
	}
	b.subs = append(b.subs[:len(b.subs):len(b.subs)], q) // publishers hold the old slice
	b.pumps.Add(1)
	go func() {
		defer b.pumps.Done()
		defer close(q.out)
		defer b.unsubscribe(q)
		b.pump(q)
	}()
	return q.out, nil
}

func (channelSubscriber) Close() error { return nil }

func (b *ChannelBroker) unsubscribe(q *queue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var kept []*queue
	for _, s := range b.subs {
		if s != q {
			kept = append(kept, s)
		}
	}
	b.subs = kept
}

// pump delivers q's batches to its handler one at a time, each until it
// is acknowledged (a refused batch comes again, before any after it),
// merging what has queued meanwhile into the next delivery.
func (b *ChannelBroker) pump(q *queue) {
	var next *message.Message
	for {
		if next == nil {
			select {
			case next = <-q.in:
			case <-q.ctx.Done():
				return
			case <-b.done:
				return
			}
		}
		msg, rest := b.mergeQueued(next, q)
		for {
			delivery := msg.Copy()
			delivery.SetContext(q.ctx)
			select {
			case q.out <- delivery:
			case <-q.ctx.Done():
				return
			case <-b.done:
				return
			}
			select {
			case <-delivery.Acked():
			case <-delivery.Nacked():
				continue
			case <-q.ctx.Done():
				return
			case <-b.done:
				return
			}
			break
		}
		next = rest
	}
}

// mergeQueued merges into first the batches queued behind it that follow
// it in the global order, up to b.maxMerged events. It returns the message
// to deliver and the first queued one it did not merge (nil if none).
func (b *ChannelBroker) mergeQueued(first *message.Message, q *queue) (*message.Message, *message.Message) {
	if len(q.in) == 0 {
		return first, nil
	}
	merged, err := decodeBatch(first)
	if err != nil {
		return first, nil // not a batch of events: delivered as it is
	}
	var rest *message.Message
	for len(q.in) > 0 && len(merged.events) < b.maxMerged {
		m := <-q.in
		next, err := decodeBatch(m)
		if err != nil || next.prev != merged.events[len(merged.events)-1].Position ||
			len(merged.events)+len(next.events) > b.maxMerged {
			rest = m
			break
		}
		merged.events = append(merged.events, next.events...)
	}
	out, err := encodeBatch(merged)
	if err != nil {
		b.logger.Error("Batches not merged", err, nil)
		return first, rest
	}
	return out, rest
}
