package mongostore

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// memIndex is the shingle index of the statements kept in memory, for the
// embedded store: FerretDB's SQLite handler answers a filter on the
// statements' shingles by decoding every statement, and writes each update
// in a transaction of its own, so neither a query nor an index collection
// kept in the store serves there. The index is read from the statements
// (their stored shingles) on first use and kept up to date by this
// process's writes; the embedded store has one process.
//
// A nil *memIndex (MongoDB) does nothing.
type memIndex struct {
	mu     sync.RWMutex
	loaded bool
	post   map[int64][]string // shingle hash → statement ids
	size   map[string]int     // statement id → its number of shingles
	has    map[string]map[int64]struct{}
}

func newMemIndex() *memIndex {
	return &memIndex{post: map[int64][]string{}, size: map[string]int{}, has: map[string]map[int64]struct{}{}}
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
	cur, err := s.db.Collection(collStatements).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "shingles", Value: 1}}))
	if err != nil {
		return wrapErr("load statement index", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d struct {
			ID       string  `bson:"_id"`
			Shingles []int64 `bson:"shingles"`
		}
		if err := cur.Decode(&d); err != nil {
			return wrapErr("load statement index", err)
		}
		m.addLocked(d.ID, d.Shingles)
	}
	if err := cur.Err(); err != nil {
		return wrapErr("load statement index", err)
	}
	m.loaded = true
	return nil
}

func (m *memIndex) add(id string, shingles []int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.addLocked(id, shingles)
}

func (m *memIndex) addLocked(id string, shingles []int64) {
	set := m.has[id]
	if set == nil {
		set = map[int64]struct{}{}
		m.has[id] = set
	}
	for _, h := range shingles {
		if _, ok := set[h]; ok {
			continue
		}
		set[h] = struct{}{}
		m.post[h] = append(m.post[h], id)
	}
	m.size[id] = len(set)
}

// remove forgets a deleted statement; its postings are skipped from then
// on and dropped when the process restarts.
func (m *memIndex) remove(id string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.size, id)
	delete(m.has, id)
}

// candidates counts, for every statement sharing a shingle with the given
// ones, how many it shares, and gives each one's number of shingles.
func (m *memIndex) candidates(ctx context.Context, s *Store, shingles []int64) (counts, sizes map[string]int, err error) {
	if err := m.load(ctx, s); err != nil {
		return nil, nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	counts, sizes = map[string]int{}, map[string]int{}
	for _, h := range shingles {
		for _, id := range m.post[h] {
			n, ok := m.size[id]
			if !ok {
				continue // deleted
			}
			counts[id]++
			sizes[id] = n
		}
	}
	return counts, sizes, nil
}
