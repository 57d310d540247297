app_name = "logbooks"

urlpatterns = []
