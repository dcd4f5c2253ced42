package query

import (
	"errors"

	"aidtrail/commands"
)

// Service answers the queries, each bounded to what its actor may see.
// It is safe for concurrent use.
type Service struct {
	app    *commands.App
	models ReadModels
}

// New builds the Service over the read models; app decides what each
// actor may see.
func New(app *commands.App, models ReadModels) (*Service, error) {
	if app == nil || models == nil {
		return nil, errors.New("query: an App and the read models are required")
	}
	return &Service{app: app, models: models}, nil
}
