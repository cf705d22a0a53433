package mongostore

import (
	"context"
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// transactions finds out, once per store, whether the server runs
// multi-document transactions: a replica set member (hello reports
// setName) or a mongos (hello's msg is "isdbgrid"). A standalone mongod,
// and the tests' FerretDB, do not.
type transactions struct {
	mu      sync.Mutex
	known   bool
	capable bool
}

// inTransactions reports whether writes that change two documents
// together (see MergeSpeakers) can run in one transaction. An error of the
// hello command is returned and asked again next time.
func (s *Store) inTransactions(ctx context.Context) (bool, error) {
	s.txn.mu.Lock()
	defer s.txn.mu.Unlock()
	if s.txn.known {
		return s.txn.capable, nil
	}
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return false, wrapErr("hello", err)
	}
	s.txn.known, s.txn.capable = true, hello.SetName != "" || hello.Msg == "isdbgrid"
	return s.txn.capable, nil
}

// atomically runs fn in one transaction where the server has them, and
// as it is otherwise: fn must then be correct run step by step (each of
// its writes a conditional single-document update), the transaction only
// taking away the moments between its steps. fn may run more than once
// (the driver retries transient transaction errors).
func (s *Store) atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	txn, err := s.inTransactions(ctx)
	if err != nil {
		return err
	}
	if !txn {
		return fn(ctx)
	}
	sess, err := s.client.StartSession()
	if err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) { return nil, fn(ctx) })
	return err
}
