package httpapi

import "github.com/gin-gonic/gin"

// routes lists every route of the API.
func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.json", s.openAPIJSON)
	e.GET("/docs/*file", s.swaggerUI)

	v1 := e.Group("/v1")
	v1.POST("/extract", s.extract)
}
