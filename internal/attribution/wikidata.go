package attribution

import "regexp"

// wikidataItem is the shape of a Wikidata item id: Q and a number without
// leading zeros, at most 12 digits.
var wikidataItem = regexp.MustCompile(`^Q[1-9][0-9]{0,11}$`)

// ValidWikidataID reports whether id is a Wikidata item id such as
// "Q3874799" (upper-case Q, no URL, no white space).
func ValidWikidataID(id string) bool {
	return wikidataItem.MatchString(id)
}

// WikidataURL is the page of a Wikidata item, for schema.org sameAs.
func WikidataURL(id string) string {
	return "https://www.wikidata.org/wiki/" + id
}
