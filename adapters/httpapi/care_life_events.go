package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"aidtrail/adapters/tabular"
	"aidtrail/commands"
)

type lifeEventRequest struct {
	Kind       string `json:"kind"`
	Subject    string `json:"subject"`
	OccurredOn string `json:"occurred_on"`
	Details    string `json:"details"`
}

// recordLifeEvent: POST /v1/employees/{id}/life-events → {id, position}.
func (a *api) recordLifeEvent(w http.ResponseWriter, r *http.Request) error {
	c, err := onID[lifeEventRequest](w, r, bodyRequired)
	if err != nil {
		return err
	}
	id, written, err := a.deps.App.RecordLifeEvent(r.Context(), callerOf(r).actor, commands.RecordLifeEvent{
		EmployeeID: c.ID, Kind: c.Body.Kind, Subject: c.Body.Subject, OccurredOn: c.Body.OccurredOn, Details: c.Body.Details})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, createdResponse{ID: id.String(), Position: written.Position})
	return nil
}

// importedResponse: Position is the last position written, 0 when every
// row was recorded already.
type importedResponse struct {
	commands.Imported
	Position int64 `json:"position"`
}

// maxImportBody bounds an uploaded HR export.
const maxImportBody = 16 << 20

// lifeEventColumns are the columns an import needs; details is optional.
var lifeEventColumns = []string{"employee_id", "kind", "subject", "occurred_on"}

// importLifeEvents: POST /v1/life-events/import takes an HR system's
// export — CSV in UTF-8 (with or without BOM) or GB18030, or XLSX — as the
// request body, or as the part "file" of a multipart form. Every row is
// checked before any is applied; a bad file is refused with 422 naming each
// bad row and column, and nothing is imported. Rows already recorded are
// skipped, so importing a file twice imports it once.
func (a *api) importLifeEvents(w http.ResponseWriter, r *http.Request) error {
	file, err := uploadedFile(w, r)
	if err != nil {
		return err
	}
	defer file.Close()
	table, err := tabular.Read(file, tabular.Limits{MaxBytes: maxImportBody, MaxRows: commands.MaxImportRows})
	if err != nil {
		return err
	}
	cols, err := table.Index(lifeEventColumns...)
	if err != nil {
		return err
	}
	details, hasDetails := -1, false
	if d, err := table.Index("details"); err == nil {
		details, hasDetails = d["details"], true
	}
	rows := make([]commands.LifeEventRow, len(table.Rows))
	for i, cells := range table.Rows {
		rows[i] = commands.LifeEventRow{Row: table.RowNumbers[i], EmployeeID: cells[cols["employee_id"]],
			Kind: cells[cols["kind"]], Subject: cells[cols["subject"]], OccurredOn: cells[cols["occurred_on"]]}
		if hasDetails {
			rows[i].Details = cells[details]
		}
	}
	if len(rows) == 0 {
		return &tabular.FormatError{Message: "the file has a header but no rows"}
	}
	done, written, err := a.deps.App.ImportLifeEvents(r.Context(), callerOf(r).actor, commands.ImportLifeEvents{Rows: rows})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, importedResponse{Imported: done, Position: written.Position})
	return nil
}

// uploadedFile returns the uploaded file: the part "file" of a
// multipart/form-data body, or the body itself.
func uploadedFile(w http.ResponseWriter, r *http.Request) (io.ReadCloser, error) {
	body := http.MaxBytesReader(w, r.Body, maxImportBody+1<<20)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return body, nil
	}
	r.Body = body
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, uploadError(err)
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, fmt.Errorf("%w: the form has no part \"file\"", errBadRequest)
	}
	return f, nil
}

// importRowsOf returns the refused rows of a refused import: its
// file cannot be read, lacks columns, or has bad rows.
func importRowsOf(err error) ([]rowErrorJSON, bool) {
	var (
		format  *tabular.FormatError
		columns *tabular.ColumnError
		rows    *commands.ImportError
	)
	switch {
	case errors.As(err, &format):
		return []rowErrorJSON{{Row: format.Row, Message: format.Message}}, true
	case errors.As(err, &columns):
		out := make([]rowErrorJSON, len(columns.Missing))
		for i, c := range columns.Missing {
			out[i] = rowErrorJSON{Row: 1, Column: c, Message: "the header row has no such column"}
		}
		return out, true
	case errors.As(err, &rows):
		out := make([]rowErrorJSON, len(rows.Rows))
		for i, e := range rows.Rows {
			out[i] = rowErrorJSON{Row: e.Row, Column: e.Column, Message: e.Message}
		}
		return out, true
	}
	return nil, false
}
