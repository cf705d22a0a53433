package extract

import (
	"sort"
	"strings"
)

// fullIndex answers the look-backs of coreference over an article's full
// names (in text order) without scanning them all for every mention: that
// was quadratic in a text of thousands of names and pronouns.
type fullIndex struct {
	full []fullName
	// notGender[g][k] is the latest index ≤ k whose gender is not g, or
	// -1, for g = 'm' and 'f'.
	notM, notF []int
	// roled are the indices of the full names given with a role; byRole
	// caches, per lower-case title, those whose role holds the title.
	roled  []int
	byRole map[string][]int
}

// fullIndex returns the index of full, made on first use; full is the same
// slice for the whole run.
func (r *run) fullIndex(full []fullName) *fullIndex {
	if r.fullIx != nil && len(r.fullIx.full) == len(full) {
		return r.fullIx
	}
	x := &fullIndex{full: full, notM: make([]int, len(full)), notF: make([]int, len(full)), byRole: map[string][]int{}}
	lastM, lastF := -1, -1 // latest index not 'm', not 'f'
	r.steps += len(full)
	for k, fn := range full {
		if fn.gender != 'm' {
			lastM = k
		}
		if fn.gender != 'f' {
			lastF = k
		}
		x.notM[k], x.notF[k] = lastM, lastF
		if fn.role != "" {
			x.roled = append(x.roled, k)
		}
	}
	r.fullIx = x
	return x
}

// latestNotGender is the latest index ≤ k of full whose gender is not g, or
// -1; any gender but 'm' and 'f' rules none out.
func (r *run) latestNotGender(full []fullName, k int, g byte) int {
	if k < 0 {
		return -1
	}
	x := r.fullIndex(full)
	switch g {
	case 'm':
		return x.notM[k]
	case 'f':
		return x.notF[k]
	}
	return k
}

// roleHolder is the person named in full with role title: the latest before
// pos, else the first after it.
func (r *run) roleHolder(full []fullName, title string, pos int) (fullName, bool) {
	x := r.fullIndex(full)
	t := strings.ToLower(title)
	holders, ok := x.byRole[t]
	if !ok {
		r.steps += len(x.roled)
		for _, k := range x.roled {
			if strings.Contains(strings.ToLower(full[k].role), t) {
				holders = append(holders, k)
			}
		}
		x.byRole[t] = holders
	}
	if len(holders) == 0 {
		return fullName{}, false
	}
	r.steps++
	i := sort.Search(len(holders), func(i int) bool { return full[holders[i]].pos >= pos })
	if i > 0 {
		return full[holders[i-1]], true
	}
	return full[holders[0]], true
}
