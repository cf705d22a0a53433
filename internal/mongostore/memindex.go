package mongostore

import (
	"context"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// memIndex keeps the statements and their shingle index in memory, for the
// embedded store. FerretDB's SQLite handler answers a filter on the
// statements' shingles by decoding every statement in Go, and even an _id
// look-up is a scan inside SQLite (it does not use its own _id index), so
// reading a score of candidates from the store would cost seconds at 10k
// statements. The statements are read once, on first use, and kept up to
// date by this process's writes (the store stays the record: a restart
// reads it again); the embedded store has one process.
//
// A nil *memIndex (MongoDB) does nothing.
type memIndex struct {
	mu     sync.RWMutex
	loaded bool
	post   map[int64][]string // shingle hash → statement ids
	docs   map[string]*statementDoc
	has    map[string]map[int64]struct{}
}

func newMemIndex() *memIndex {
	return &memIndex{post: map[int64][]string{}, docs: map[string]*statementDoc{}, has: map[string]map[int64]struct{}{}}
}

// load reads every statement's shingles once.
func (m *memIndex) load(ctx context.Context, s *Store) error {
	m.mu.RLock()
	loaded := m.loaded
	m.mu.RUnlock()
	if loaded {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loaded {
		return nil
	}
	cur, err := s.db.Collection(collStatements).Find(ctx, bson.D{})
	if err != nil {
		return wrapErr("load statement index", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			return wrapErr("load statement index", err)
		}
		m.putLocked(&d)
	}
	if err := cur.Err(); err != nil {
		return wrapErr("load statement index", err)
	}
	m.loaded = true
	return nil
}

// put stores a copy of d, as now written to the store.
func (m *memIndex) put(d statementDoc) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(&d)
}

// update applies f to the cached statement id, if any, as a write to the
// store just did.
func (m *memIndex) update(id string, f func(*statementDoc)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.docs[id]
	if !ok || !m.loaded {
		return
	}
	c := cloneStatement(*d)
	f(&c)
	m.putLocked(&c)
}

func cloneStatement(d statementDoc) statementDoc {
	d.Words = slices.Clone(d.Words)
	d.Shingles = slices.Clone(d.Shingles)
	d.Occurrences = slices.Clone(d.Occurrences)
	return d
}

func (m *memIndex) putLocked(d *statementDoc) {
	c := cloneStatement(*d)
	m.docs[c.ID] = &c
	set := m.has[c.ID]
	if set == nil {
		set = map[int64]struct{}{}
		m.has[c.ID] = set
	}
	for _, h := range c.Shingles {
		if _, ok := set[h]; ok {
			continue
		}
		set[h] = struct{}{}
		m.post[h] = append(m.post[h], c.ID)
	}
}

// remove forgets a deleted statement; its postings are skipped from then
// on and dropped when the process restarts.
func (m *memIndex) remove(id string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, id)
	delete(m.has, id)
}

// candidates counts, for every statement sharing a shingle with the given
// ones, how many it shares, and returns copies of those statements.
func (m *memIndex) candidates(ctx context.Context, s *Store, shingles []int64) (counts map[string]int, docs map[string]statementDoc, err error) {
	if err := m.load(ctx, s); err != nil {
		return nil, nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	counts = map[string]int{}
	for _, h := range shingles {
		for _, id := range m.post[h] {
			if _, ok := m.docs[id]; ok {
				counts[id]++
			}
		}
	}
	docs = make(map[string]statementDoc, len(counts))
	for id := range counts {
		docs[id] = *m.docs[id] // shared slices: callers only read them
	}
	return counts, docs, nil
}
