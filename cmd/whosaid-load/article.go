package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// speakerPool is the invented people the generated articles quote. Every
// name is a made-up first name and surname pair.
var speakerPool = []string{
	"Helena Brandvik", "Rafael Okonjo", "Ingrid Solheim", "Tomasz Adeyemi", "Margit Falkenrath",
	"Daniel Achterberg", "Liesel Marchetti", "Pieter Vandermolen", "Amara Lindqvist", "Jonas Feldkamp",
	"Beatriz Holloway", "Kofi Marangoni", "Sofia Drummond", "Emil Castellano", "Nadia Oyelaran",
	"Viktor Hallberg", "Clara Montferrand", "Samuel Achebe", "Ottilie Ravensworth", "Mateo Kristiansen",
	"Yara Quimby", "Lukas Brennerman", "Elif Sandoval", "Henrik Abernathy", "Rosalind Okafor",
	"Tobias Wetherby", "Anouk Delacroix", "Marcus Tallgren", "Priya Westergaard", "Felix Oduya",
	"Greta Halvorsen", "Ignacio Pemberton", "Leona Vasquez", "Anton Mirelli", "Hanna Ashcombe",
	"Oskar Nakamura", "Farah Lindgren", "Julian Thackeray", "Miriam Kowalczyk", "Ruben Ellery",
	"Selma Okoro", "Konrad Fairweather", "Dalia Sørbye", "Erik Montague", "Lucia Brightwater",
	"Nils Agbaje", "Camille Rasmussen", "Theo Whitlock", "Ines Varga", "Gustav Mbeki",
}

// Word lists the quotes and filler sentences are built from.
var (
	quoteOpeners = []string{
		"We will", "We are not going to", "Nobody in this town wants to", "The council has to",
		"I promise that we will", "It would be a mistake to", "Families deserve to see us",
		"We cannot afford to", "Our members are ready to", "The people here expect us to",
	}
	quoteVerbs = []string{
		"rebuild", "protect", "reopen", "finance", "delay", "repair", "review", "expand",
		"close", "modernise", "defend", "replace", "inspect", "fund", "rethink",
	}
	quoteObjects = []string{
		"the harbour", "the old bridge", "the flood defences", "the rail depot", "the river path",
		"the market hall", "the ferry service", "the school buildings", "the water plant",
		"the housing estate", "the northern road", "the fishing quay", "the power station",
		"the library", "the bus network",
	}
	quoteTails = []string{
		"before the winter storms arrive", "without raising local taxes", "as soon as the money is there",
		"whatever the national government decides", "within the next three years",
		"because the current plan is simply not good enough", "and we will do it in the open",
		"once the engineers have finished their survey", "even if it takes longer than we hoped",
		"for the families who live there",
	}
	places = []string{
		"Port Ellisworth", "Kestrel Bay", "Halden Cross", "Marrow Ford", "Wrenmouth",
		"Ashby Vale", "Corran Point", "Lindmere", "Stavely", "Oakhollow",
	}
	fillerSentences = []string{
		"The meeting lasted more than three hours and was attended by about two hundred residents.",
		"Officials said a final decision would be taken at the next session of the council.",
		"The proposal has been debated in the town for much of the past year.",
		"Local businesses have followed the discussion closely, according to the chamber of commerce.",
		"A public consultation on the plan is due to open next month.",
		"The regional authority has not yet said whether it will contribute to the cost.",
		"Engineers are expected to present a revised estimate in the spring.",
		"The issue has become one of the most divisive in recent local politics.",
	}
	reportedCues = []string{"said", "told reporters", "argued", "warned", "added"}
)

// Article is one article to store, a line of POST /v1/articles:batch.
type Article struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	Text        string `json:"text"`
	PublishedAt string `json:"published_at"`
	Outlet      string `json:"outlet"`
}

// genArticle makes the n-th article of run `run`: quotesPer direct quotes
// (`"…," said Name Surname.` and variants) by speakers drawn from
// speakerPool, a reported-speech sentence after every third quote and
// filler sentences between. The same (run, n, quotesPer) always gives the
// same article; the URL is unique per (run, n).
func genArticle(run string, n, quotesPer int) Article {
	r := rand.New(rand.NewPCG(uint64(n)+1, hashString(run)))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	place := pick(places)

	var b strings.Builder
	fmt.Fprintf(&b, "%s council debates plans for %s\n\n", place, strings.TrimPrefix(pick(quoteObjects), "the "))
	fmt.Fprintf(&b, "%s — %s %s\n\n", strings.ToUpper(place), pick(fillerSentences), pick(fillerSentences))
	for i := range quotesPer {
		name := pick(speakerPool)
		surname := name[strings.LastIndexByte(name, ' ')+1:]
		q := pick(quoteOpeners) + " " + pick(quoteVerbs) + " " + pick(quoteObjects) + " " + pick(quoteTails)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "\"%s,\" said %s.", q, name)
		case 1:
			fmt.Fprintf(&b, "\"%s,\" %s said.", q, name)
		default:
			fmt.Fprintf(&b, "%s said: \"%s.\"", name, q)
		}
		if i%3 == 2 {
			fmt.Fprintf(&b, " %s %s that %s would %s %s %s.", surname, pick(reportedCues),
				pick(quoteObjects), pick(quoteVerbs), pick(quoteObjects), pick(quoteTails))
		}
		fmt.Fprintf(&b, "\n\n%s\n\n", pick(fillerSentences))
	}
	day := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(730))
	return Article{
		URL:         fmt.Sprintf("https://example.com/load/%s/%d", run, n),
		Title:       fmt.Sprintf("%s council debates plans (%d)", place, n),
		Text:        strings.TrimRight(b.String(), "\n") + "\n",
		PublishedAt: day.Format(time.RFC3339),
		Outlet:      "Load Test Gazette",
	}
}

// ndjson encodes articles as NDJSON, one article per line.
func ndjson(articles []Article) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i := range articles {
		if err := enc.Encode(&articles[i]); err != nil {
			return nil, err
		}
	}
	return []byte(b.String()), nil
}

// hashString is FNV-1a of s.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
