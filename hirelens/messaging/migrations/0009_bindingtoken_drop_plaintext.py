"""The plaintext binding token column goes; its hash (0008) is unique and required."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0008_bindingtoken_hashed")]

    operations = [
        migrations.RemoveField(model_name="bindingtoken", name="token"),
        migrations.AlterField(model_name="bindingtoken", name="token_hash", field=models.CharField(max_length=64, unique=True)),
    ]
