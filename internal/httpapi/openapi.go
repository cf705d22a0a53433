package httpapi

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files/v2"
)

// openAPIJSON serves the OpenAPI document.
//
//	@Summary	OpenAPI document
//	@ID			getOpenAPIDocument
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	object	"this API's OpenAPI 3.1 document"
//	@Router		/openapi.json [get]
func (s *Server) openAPIJSON(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", s.openAPI)
}

// swaggerInitializer replaces the file of that name in the Swagger UI
// distribution: it points the UI at our document, relative to /docs/ so
// that it also works behind a path prefix, and turns off the online
// validator badge, so that nothing is fetched from the internet.
const swaggerInitializer = `window.onload = function() {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
`

// swaggerUI serves Swagger UI 5 (embedded by github.com/swaggo/files/v2) at
// /docs/.
//
//	@Summary		Swagger UI
//	@ID				getSwaggerUI
//	@Description	The Swagger UI page (`/docs/` or `/docs/index.html`) and its scripts and styles, for this document. Never needs a key.
//	@Tags			ops
//	@Param			file	path	string	true	"a file of the Swagger UI"	example(index.html)
//	@Produce		application/problem+json
//	@Failure		404	{object}	Problem	"no such file"
//	@Produce		html
//	@Success		200	{string}	string	"the Swagger UI page and its assets"
//	@Router			/docs/{file} [get]
func (s *Server) swaggerUI(c *gin.Context) {
	file := strings.TrimPrefix(c.Param("file"), "/")
	switch file {
	case "", "index.html":
		file = "index.html"
	case "swagger-initializer.js":
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", []byte(swaggerInitializer))
		return
	}
	b, err := fs.ReadFile(swaggerfiles.FS, file)
	if err != nil {
		s.writeProblem(c, http.StatusNotFound, "no such file: /docs/"+file, nil)
		return
	}
	c.Data(http.StatusOK, contentType(file), b)
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".map"):
		return "application/json"
	}
	return "application/octet-stream"
}
