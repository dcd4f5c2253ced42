# aidtrail: one static binary on a minimal, non-root runtime image.
#
#   docker build -t aidtrail .
#   docker run -p 8080:8080 aidtrail                       # embedded store
#   docker run -p 8080:8080 -e AIDTRAIL_DATABASE_URL=postgres://... aidtrail

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/aidtrail ./cmd/aidtrail \
 && mkdir -p /out/state/aidtrail-data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aidtrail /usr/local/bin/aidtrail
# The working directory holds ./aidtrail-data, the embedded store's default
# directory, owned by the non-root user; mount a volume there to keep it.
COPY --from=build --chown=nonroot:nonroot /out/state/ /var/lib/aidtrail/
WORKDIR /var/lib/aidtrail
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["aidtrail"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
