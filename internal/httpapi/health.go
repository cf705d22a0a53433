package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Pinger reports whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Readiness states remembered between probes, so that only changes are
// logged.
const (
	readinessUnknown int32 = iota
	readinessOK
	readinessFailed
)

// HealthResponse is the body of GET /healthz.
type HealthResponse struct {
	Status string `json:"status" example:"ok"`
} //	@name	HealthResponse

// ReadyResponse is the body of a successful GET /readyz.
type ReadyResponse struct {
	Status string `json:"status" example:"ready"`
	// Store is the kind of store in use: embedded (FerretDB in-process) or
	// mongodb.
	Store string `json:"store" enums:"embedded,mongodb" example:"embedded"`
} //	@name	ReadyResponse

// healthz answers whether the process serves HTTP at all.
//
//	@Summary		Liveness
//	@ID				getHealth
//	@Description	Answers 200 as long as the process serves HTTP; it does not look at the store.
//	@Tags			ops
//	@Produce		json
//	@Success		200	{object}	HealthResponse
//	@Router			/healthz [get]
func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, HealthResponse{Status: "ok"})
}

// readyz answers whether the store answers a ping.
//
//	@Summary		Readiness
//	@ID				getReadiness
//	@Description	Pings the store with a 2-second deadline. 200 when it answers; 503 with the store and the error otherwise
//	@Description	(at once while the driver's heartbeat sees no usable server).
//	@Tags			ops
//	@Produce		application/problem+json
//	@Failure		503	{object}	Problem	"the store does not answer"
//	@Produce		json
//	@Success		200	{object}	ReadyResponse
//	@Router			/readyz [get]
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.pingTimeout)
	defer cancel()
	// A store that knows its server is down answers at once; otherwise
	// the ping decides.
	var err error
	if rs, ok := s.store.(reachabler); ok {
		err = rs.Reachable()
	}
	if err == nil {
		err = s.store.Ping(ctx)
	}
	s.metrics.SetStoreUp(err == nil)
	if err != nil {
		// Log the first failure after a success (or at start), not every
		// probe of an outage.
		if s.ready.Swap(readinessFailed) != readinessFailed {
			s.logger.WarnContext(ctx, "store not ready", slog.String("store", s.storeKind), slog.Any("error", err))
		}
		s.writeProblem(c, http.StatusServiceUnavailable, "the "+s.storeKind+" store does not answer; the server's log says why", nil)
		return
	}
	if s.ready.Swap(readinessOK) != readinessOK {
		s.logger.InfoContext(ctx, "store ready", slog.String("store", s.storeKind))
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, ReadyResponse{Status: "ready", Store: s.storeKind})
}
