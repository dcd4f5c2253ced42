package httpapi

// careRoutes are the hardship register, life events and discovery.
func (a *api) careRoutes() []route {
	return nil
}
