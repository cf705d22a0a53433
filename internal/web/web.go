// Package web serves the newsroom pages of whosaid: search, speaker,
// article, verify and paste. The pages are html/template documents
// embedded in the binary with their stylesheet and script (no CDN, no
// Node build step). The server renders each page's structure, its forms
// and the values of its URL; the script fills in the data from the JSON
// API (/v1) with the tab's API key, so the API stays the one source of
// truth for reads, edits and their errors.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options configure the pages.
type Options struct {
	// Auth tells the pages that the API needs a key: they ask for one
	// once and keep it for the tab.
	Auth bool
}

// page is one server-rendered page.
type page struct {
	name  string // template file name without .html
	title string
	nav   string // the nav item marked current
}

var (
	pageSearch  = page{"search", "Search quotes", "search"}
	pageSpeaker = page{"speaker", "Speaker", "search"}
	pageArticle = page{"article", "Article", "search"}
	pageVerify  = page{"verify", "Verify a quote", "verify"}
	pagePaste   = page{"paste", "Paste an article", "paste"}
	pageMissing = page{"notfound", "Page not found", ""}
)

// Kinds are the quote kinds the filters and correction forms offer.
var Kinds = []string{"direct", "indirect", "mixed"}

// view is the data of a page template.
type view struct {
	Title string
	Nav   string
	Auth  bool
	// Query is the page's URL query (search filters, verify text).
	Query map[string]string
	// ID is the speaker or article id of the path.
	ID    string
	Kinds []string
}

// Handler serves the pages at / and under /ui/, and their assets under
// /ui/assets/.
type Handler struct {
	opts  Options
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New parses the embedded templates and returns the pages' handler.
func New(opts Options) (*Handler, error) {
	h := &Handler{opts: opts, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, p := range []page{pageSearch, pageSpeaker, pageArticle, pageVerify, pagePaste, pageMissing} {
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+p.name+".html")
		if err != nil {
			return nil, err
		}
		h.pages[p.name] = t
	}
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix("/ui/assets/", http.FileServerFS(assets))
	h.mux.Handle("GET /ui/assets/", noListing(files))
	h.mux.HandleFunc("GET /{$}", h.serve(pageSearch))
	h.mux.HandleFunc("GET /ui/{$}", h.serve(pageSearch))
	h.mux.HandleFunc("GET /ui/search", h.serve(pageSearch))
	h.mux.HandleFunc("GET /ui/speakers/{id}", h.serve(pageSpeaker))
	h.mux.HandleFunc("GET /ui/articles/{id}", h.serve(pageArticle))
	h.mux.HandleFunc("GET /ui/verify", h.serve(pageVerify))
	h.mux.HandleFunc("GET /ui/paste", h.serve(pagePaste))
	h.mux.HandleFunc("GET /", h.serve(pageMissing))
	return h, nil
}

// ServeHTTP serves one page or asset request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The pages run no inline script and load nothing from elsewhere.
	w.Header().Set("Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// noListing answers 404 for directory paths instead of a file listing.
func noListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

// serve renders p with the request's path id and query.
func (h *Handler) serve(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := view{
			Title: p.title,
			Nav:   p.nav,
			Auth:  h.opts.Auth,
			Query: map[string]string{},
			ID:    r.PathValue("id"),
			Kinds: Kinds,
		}
		for k, vals := range r.URL.Query() {
			if len(vals) > 0 {
				v.Query[k] = vals[0]
			}
		}
		var buf bytes.Buffer
		if err := h.pages[p.name].Execute(&buf, v); err != nil {
			http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if p == pageMissing {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write(buf.Bytes())
	}
}
